"""Customer opening messages of the sample generator: ``CUSTOMER[lang][sector][intent]``.

Sector ``"*"`` is any sector; ``"unnamed"`` messages name no brand. ``{b}`` is the brand reference
(an @handle or one of its aliases). Every template says its planted intent unmistakably:

- complaint: a problem, stated negatively; no question, no thanks;
- question: a real question with "?" and no complaint or praise words;
- praise: thanks or a positive statement; no question, no complaint words;
- other: a neutral remark, none of the above.

:mod:`pipelines.sample.voice` then writes them the way people type.
"""

from __future__ import annotations

# --------------------------------------------------------------------------------------------
# Customer opening messages: CUSTOMER[lang][sector][intent] (sector "*" = any sector)
# --------------------------------------------------------------------------------------------

CUSTOMER: dict[str, dict[str, dict[str, list[str]]]] = {
    "es": {
        "*": {
            "complaint": [
                "{b} llevo una semana esperando respuesta, un desastre de atención",
                "Fatal el servicio de {b}, nadie me da una solución",
                "{b} terrible, me habéis cobrado dos veces este mes y nadie responde",
                "Llevo tres días esperando a que {b} me conteste, esto es un desastre",
                "La app de {b} no funciona desde ayer, fatal",
                "{b} cuarta vez que llamo y nadie me soluciona nada. vergonzoso",
                "{b} me tenéis harta, otra vez sin servicio",
                "{b} 40 minutos al teléfono para nada, pésimo servicio",
                "{b} esto es una vergüenza, no funciona nada",
                "{b} 3 días sin internet.",
            ],
            "question": [
                "{b} ¿cuál es vuestro horario de atención?",
                "Hola {b}, ¿cómo puedo cambiar mis datos de contacto?",
                "{b} ¿dónde puedo descargar mis facturas del año pasado?",
                "¿Cuándo sale la nueva versión de la app de {b}?",
                "{b} ¿puedo domiciliar los pagos en otra cuenta?",
                "{b} una pregunta, ¿se puede pagar con Bizum?",
                "{b} ¿me podéis decir cómo cambio la contraseña?",
                "Buenas {b}, ¿a qué hora abre el chat de atención?",
            ],
            "praise": [
                "Gracias {b}, atención de diez",
                "Genial la nueva app de {b}, muy fácil de usar",
                "Excelente trato en {b} hoy, gracias",
                "Mil gracias {b}, todo perfecto",
                "{b} sois los mejores, gracias por la rapidez",
                "Tengo que decirlo: {b} me ha sorprendido para bien. ¡Gracias!",
                "Muy contenta con {b}, todo perfecto y rapidísimo",
            ],
            "other": [
                "Mañana empiezo con {b}, a ver qué tal",
                "Leyendo las novedades de {b} en el periódico",
                "Hoy toca revisar las facturas de {b} y las del gimnasio",
                "Mañana paso por la tienda de {b} del centro",
                "Cambiando de compañía a {b} esta semana",
            ],
        },
        "telecom": {
            "complaint": [
                "Llevo 3 días sin internet, esto es un desastre {b}",
                "{b} la fibra no funciona otra vez, llevo toda la tarde sin servicio",
                "{b} sin servicio en todo el barrio desde esta mañana, fatal",
                "{b} el router no funciona y el técnico ni aparece, terrible",
                "Otra vez sin cobertura en casa, {b} sois un desastre",
            ],
            "question": [
                "{b} ¿cómo cambio mi tarifa?",
                "{b} ¿cuándo llega la fibra a mi calle?",
                "Hola {b}, ¿puedo añadir una línea móvil a mi contrato?",
                "{b} ¿dónde veo el consumo de datos de este mes?",
                "{b} ¿cómo activo el roaming para viajar a Portugal?",
            ],
            "praise": [
                "Gracias {b}, el técnico fue genial",
                "La fibra de {b} va genial, excelente velocidad",
                "Gracias {b} por cambiarme el router tan rápido",
            ],
            "other": [
                "Viendo el partido con la fibra de {b}",
                "Hoy instalan la fibra de {b} en casa de mis padres",
                "Portabilidad a {b} en marcha",
            ],
            "unnamed": [
                "Otra vez sin internet en casa, esto es un desastre",
                "Tercer corte de fibra esta semana, fatal",
                "El móvil sin cobertura todo el día, terrible",
            ],
        },
        "airline": {
            "complaint": [
                "{b} me habéis cancelado el vuelo y nadie responde, un desastre",
                "{b} mi maleta no ha llegado y llevo dos horas esperando en el aeropuerto",
                "Vuelo con {b} retrasado cinco horas sin ninguna explicación, fatal",
                "{b} la web no funciona y no puedo hacer el check-in, terrible",
                "El peor servicio de {b}, vuelo cancelado y cero ayuda",
            ],
            "question": [
                "{b} ¿cómo añado una maleta a mi reserva?",
                "{b} ¿puedo cambiar la fecha de mi vuelo?",
                "Hola {b}, ¿cuándo abre el check-in online?",
                "{b} ¿dónde recojo la tarjeta de embarque en Barajas?",
                "{b} ¿cuántos kilos puedo llevar en cabina?",
            ],
            "praise": [
                "Gracias {b}, tripulación excelente en el vuelo de hoy",
                "Genial el vuelo con {b}, llegamos antes de hora",
                "Excelente atención de {b} en la puerta de embarque, gracias",
            ],
            "other": [
                "{b} vuelo AS123 embarcando por la puerta 5",
                "Rumbo a Lisboa con {b}",
                "Embarcando con {b} en la T4",
            ],
            "unnamed": [
                "Vuelo cancelado otra vez y nadie da la cara, un desastre",
                "Mi maleta perdida desde el lunes, fatal",
            ],
        },
        "bank": {
            "complaint": [
                "{b} la app no funciona y no puedo hacer transferencias, un desastre",
                "{b} me habéis bloqueado la tarjeta sin avisar, fatal",
                "Llevo dos semanas esperando la tarjeta nueva de {b}, terrible",
                "{b} el cajero se ha tragado mi tarjeta y nadie responde, fatal servicio",
                "{b} cargo duplicado en mi cuenta y sin solución, un desastre",
            ],
            "question": [
                "{b} ¿cómo activo la tarjeta nueva?",
                "{b} ¿cuándo se recibe una transferencia internacional?",
                "Hola {b}, ¿puedo subir el límite de la tarjeta desde la app?",
                "{b} ¿dónde hay un cajero vuestro en el centro?",
                "{b} ¿cómo pido un certificado de titularidad?",
            ],
            "praise": [
                "Gracias {b}, la gestora fue genial",
                "Excelente la app de {b}, transferencias al instante",
                "Genial {b}, hipoteca firmada y todo claro, gracias",
            ],
            "other": [
                "Abriendo cuenta nómina en {b}",
                "Tarjeta nueva de {b} en el buzón hoy",
                "Reunión con el banco mañana, {b} a las diez",
            ],
            "unnamed": [
                "La app del banco no funciona otra vez, un desastre",
                "Me han bloqueado la tarjeta en pleno viaje, fatal",
            ],
        },
        "energy": {
            "complaint": [
                "{b} sin luz desde anoche y nadie responde, un desastre",
                "{b} la factura de este mes es un desastre, me cobráis el doble",
                "Llevo un mes esperando la lectura del contador, {b} fatal",
                "{b} corte de suministro sin previo aviso, terrible",
                "{b} el área de clientes no funciona, fatal",
            ],
            "question": [
                "{b} ¿cómo cambio la potencia contratada?",
                "{b} ¿cuándo se pasa el cargo de la factura?",
                "Hola {b}, ¿puedo poner placas solares con vuestra tarifa?",
                "{b} ¿dónde consulto mi consumo por horas?",
                "{b} ¿cómo cambio el titular del contrato?",
            ],
            "praise": [
                "Gracias {b}, el cambio de tarifa fue genial y rápido",
                "Excelente {b}, la factura bajó este mes",
                "Genial el técnico de {b}, muy amable, gracias",
            ],
            "other": [
                "Hoy cambian el contador de {b} en el edificio",
                "Comparando la tarifa nocturna de {b} con la de siempre",
                "Contrato de la luz del piso nuevo con {b}",
            ],
            "unnamed": [
                "Sin luz en todo el bloque desde anoche, un desastre",
                "Otra factura de la luz disparada, fatal",
            ],
        },
        "retail": {
            "complaint": [
                "{b} mi pedido no ha llegado y llevo dos semanas esperando, un desastre",
                "{b} la devolución sin reembolsar desde hace un mes, fatal",
                "{b} me llegó el producto roto y nadie responde, terrible",
                "{b} la web no funciona al pagar, fatal",
                "Pedido de {b} perdido y cero respuesta, un desastre",
            ],
            "question": [
                "{b} ¿cómo hago una devolución?",
                "{b} ¿cuándo llega mi pedido?",
                "Hola {b}, ¿puedo cambiar la talla de un pedido ya enviado?",
                "{b} ¿dónde recojo un pedido con recogida en punto?",
                "{b} ¿cómo cambio la dirección de entrega?",
            ],
            "praise": [
                "Gracias {b}, el pedido llegó genial y antes de tiempo",
                "Excelente la atención de {b} en el centro, gracias",
                "Me encanta lo que compré en {b}, genial",
            ],
            "other": [
                "De compras en {b} con mi hermana",
                "Pedido de {b} en camino",
                "Mirando las rebajas de {b}",
            ],
            "unnamed": [
                "Mi pedido perdido otra vez, un desastre",
                "Producto roto y la devolución sin reembolsar, fatal",
            ],
        },
    },
    "en": {
        "*": {
            "complaint": [
                "{b} still waiting for an answer after a week, terrible service",
                "Worst customer service ever {b}, nobody helps",
                "{b} you charged me twice this month and nobody replies, terrible",
                "{b} the app is not working since yesterday, so frustrating",
                "Still waiting on {b} to sort this out, worst experience",
                "{b} been on hold for 2 hours. unacceptable",
                "{b} this is ridiculous, nothing works",
                "{b} your app keeps crashing. fix it",
                "{b} worst experience ever, never again",
                "{b} no signal. again.",
            ],
            "question": [
                "{b} what are your opening hours for support?",
                "Hi {b}, how do I update my contact details?",
                "{b} where can I download last year's statements?",
                "{b} when is the new app version coming out?",
                "{b} can I change the payment date of my account?",
                "{b} quick question - is there a fee to change my plan?",
                "{b} is there a way to change my password?",
                "Hey {b}, what time does the support chat open?",
            ],
            "praise": [
                "Thanks {b}, great support today",
                "Love the new app {b}, so easy",
                "Amazing service from {b} today, thank you",
                "Great job {b}, everything sorted in minutes",
                "{b} you guys are awesome, thank you!",
                "shoutout to {b} for the quick fix, great service",
                "{b} best customer service I've had in years, thanks",
            ],
            "other": [
                "Starting with {b} tomorrow",
                "Reading about {b} in the news this morning",
                "Paperwork day: {b}, the gym and the car insurance",
                "Switching over to {b} next week",
                "{b} ad on TV again tonight",
            ],
        },
        "telecom": {
            "complaint": [
                "{b} my internet is not working again, third time this week",
                "{b} no service in my area since this morning, terrible",
                "{b} router broken and the technician never showed up, worst",
                "Internet down all day and {b} does nothing, terrible",
                "{b} still waiting for someone to look at the outage, this is a joke",
            ],
            "question": [
                "{b} how do I change my plan?",
                "{b} when will fibre be available on my street?",
                "Hi {b}, can I add a line to my contract?",
                "{b} where do I see my data usage this month?",
                "{b} how do I turn on roaming for a trip to Canada?",
            ],
            "praise": [
                "Thanks {b}, the technician was great",
                "Love the speed of my new {b} fibre, amazing",
                "Great job {b}, new router arrived in a day",
            ],
            "other": [
                "Watching the game on {b} fibre",
                "Switching my phone line to {b} this week",
                "{b} installer coming over on Friday",
            ],
            "unnamed": [
                "Internet down again at home, terrible",
                "No signal on my phone all day, worst provider",
            ],
        },
        "airline": {
            "complaint": [
                "{b} my flight was cancelled and nobody answers, terrible service",
                "{b} my bag did not arrive and I am still waiting at the airport",
                "Five hour delay with {b} and zero information, worst airline",
                "{b} online check-in is broken, terrible",
                "{b} flight cancelled again, this is the worst",
            ],
            "question": [
                "{b} how do I add a bag to my booking?",
                "{b} can I change the date of my flight?",
                "Hi {b}, when does online check-in open?",
                "{b} where do I pick up my boarding pass at JFK?",
                "{b} how many kilos can I take in the cabin?",
            ],
            "praise": [
                "Thanks {b}, amazing crew on today's flight",
                "Great flight with {b}, landed early",
                "Love flying {b}, great legroom",
            ],
            "other": [
                "{b} flight AS123 boarding at gate 5",
                "Off to Lisbon with {b}",
                "Boarding {b} at terminal 4",
            ],
            "unnamed": [
                "Flight cancelled again and nobody at the desk, terrible",
                "Lost luggage since Monday, worst trip ever",
            ],
        },
        "bank": {
            "complaint": [
                "{b} the app is not working and I cannot make transfers, terrible",
                "{b} you blocked my card without warning, worst bank",
                "Still waiting for my new {b} card after two weeks, terrible",
                "{b} the ATM ate my card and nobody answers, terrible",
                "{b} double charge on my account and still no fix, worst",
            ],
            "question": [
                "{b} how do I activate my new card?",
                "{b} when does an international transfer arrive?",
                "Hi {b}, can I raise my card limit in the app?",
                "{b} where is your nearest ATM downtown?",
                "{b} how do I order a bank reference letter?",
            ],
            "praise": [
                "Thanks {b}, my advisor was great",
                "Love the {b} app, instant transfers",
                "Great job {b}, mortgage signed and all clear, thanks",
            ],
            "other": [
                "Opening a checking account at {b}",
                "New {b} card in the mail today",
                "Meeting at {b} tomorrow at ten",
            ],
            "unnamed": [
                "The bank app is not working again, terrible",
                "Card blocked in the middle of my trip, worst",
            ],
        },
        "energy": {
            "complaint": [
                "{b} power out since last night and nobody answers, terrible",
                "{b} this month's bill is terrible, you charged me double",
                "Still waiting for a meter reading for a month, {b} worst service",
                "{b} supply cut with no notice, terrible",
                "{b} the customer portal is not working, terrible",
            ],
            "question": [
                "{b} how do I change my plan?",
                "{b} when is the bill charged to my card?",
                "Hi {b}, can I add solar panels on your plan?",
                "{b} where can I see my hourly usage?",
                "{b} how do I move the contract to my name?",
            ],
            "praise": [
                "Thanks {b}, switching plans was great and quick",
                "Great {b}, my bill went down this month",
                "Amazing technician from {b}, very kind, thanks",
            ],
            "other": [
                "{b} replacing the meters in our building today",
                "Comparing the {b} night plan with the usual one",
                "Setting up {b} power for the new apartment",
            ],
            "unnamed": [
                "Power out in the whole block since last night, terrible",
                "Another crazy electricity bill, worst",
            ],
        },
        "retail": {
            "complaint": [
                "{b} my order never arrived and I am still waiting after two weeks, terrible",
                "{b} refund still not processed after a month, worst",
                "{b} the item arrived broken and nobody replies, terrible",
                "{b} checkout is not working on the website, terrible",
                "Order from {b} lost and zero answers, worst store",
            ],
            "question": [
                "{b} how do I return an item?",
                "{b} when will my order arrive?",
                "Hi {b}, can I change the size of an order that already shipped?",
                "{b} where do I pick up a click and collect order?",
                "{b} how do I change my delivery address?",
            ],
            "praise": [
                "Thanks {b}, order arrived early and great quality",
                "Great service at {b} downtown, thanks",
                "Love what I bought at {b}, amazing",
            ],
            "other": [
                "Shopping at {b} with my sister",
                "{b} order on its way",
                "Browsing the {b} sale",
            ],
            "unnamed": [
                "My order got lost again, terrible",
                "Item arrived broken and refund still not processed, worst",
            ],
        },
    },
}
