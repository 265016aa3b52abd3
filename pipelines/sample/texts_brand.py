"""Brand texts of the sample generator: in-channel and deflecting replies, personal reply slots,
announcements (Spanish and English)."""

from __future__ import annotations

# --------------------------------------------------------------------------------------------
# Brand messages
# --------------------------------------------------------------------------------------------

#: In-channel answers by opening intent (no DM, phone, e-mail, URL, number, store, call).
IN_CHANNEL: dict[str, dict[str, list[str]]] = {
    "es": {
        "complaint": [
            (
                "Sentimos mucho las molestias. Ya hemos revisado tu caso desde aquí y "
                "debería estar solucionado; cuéntanos en este hilo si persiste."
            ),
            (
                "Lamentamos lo ocurrido. Acabamos de reactivar el servicio desde "
                "nuestro sistema, prueba de nuevo y nos cuentas."
            ),
            (
                "Disculpa el retraso. Hemos escalado la incidencia al equipo "
                "técnico y te avisamos aquí en cuanto esté resuelta."
            ),
        ],
        "question": [
            "¡Hola! Puedes hacerlo desde la app, en el apartado Mi cuenta. Cualquier duda, aquí estamos.",
            "¡Hola! Se cambia en la app, dentro de Ajustes, y es inmediato.",
            "Buenas, te lo confirmamos: se aplica al momento y sin coste. ¡Un saludo!",
        ],
        "praise": [
            "¡Muchas gracias por tus palabras! Se lo trasladamos al equipo.",
            "¡Qué alegría leerte! Gracias por confiar en nosotros.",
        ],
        "other": ["¡Que lo disfrutes!", "¡Nos alegra leerte! Un saludo."],
        "still": [
            "Vaya, lo sentimos. Lo revisamos de nuevo ahora mismo y te contamos por aquí.",
            "Perdona las molestias, lo hemos vuelto a escalar con prioridad alta.",
        ],
    },
    "en": {
        "complaint": [
            (
                "Sorry about this. We have checked your account from our side and it "
                "should be sorted now; reply here if it happens again."
            ),
            "We're sorry for the trouble. We just reset the service on our end, please try again and let us know.",
            "Apologies for the wait. We've escalated this to our technical team and will update you here.",
        ],
        "question": [
            "Hi! You can do it in the app under My account. Anything else, we are here.",
            "Hi there! It's in the app under Settings, and it applies right away.",
            "Hello! Yes, that works and there is no extra charge. Have a nice day!",
        ],
        "praise": [
            "Thank you so much! We'll pass it on to the team.",
            "So glad to hear it! Thanks for being with us.",
        ],
        "other": ["Enjoy!", "Have a great day!"],
        "still": [
            "Sorry to hear that. We are checking it again right now and will update you here.",
            "Apologies, we've escalated it again with high priority.",
        ],
    },
}

#: Replies that move the customer to another channel, by channel.
DEFLECTION: dict[str, dict[str, list[str]]] = {
    "es": {
        "dm": [
            "Hola, ¿nos escribes por MD con tu número de cliente? Lo revisamos enseguida.",
            "Lo sentimos. Envíanos un mensaje privado con tus datos y lo miramos.",
            "Hola, te escribimos por mensaje directo para revisarlo.",
        ],
        "phone": [
            "Lo sentimos. Llámanos al {phone} y lo vemos contigo.",
            "Hola, llámanos al {phone} de lunes a viernes y lo gestionamos.",
        ],
        "email": [
            "Escríbenos a {email} con los detalles y te respondemos.",
            "Hola, escríbenos a {email} indicando tu número de cliente.",
        ],
        "web": [
            "Puedes abrir una incidencia en {url} y le damos prioridad.",
            "Hola, rellena el formulario de {url} y te contactamos.",
        ],
        "store": [
            "Lo sentimos. Visita una tienda y lo revisan en persona.",
            "Hola, visita una tienda cercana y lo revisan allí.",
        ],
    },
    "en": {
        "dm": [
            "Hi, please send us a DM with your account details and we'll look into it.",
            "Sorry about that. Can you DM us your order number?",
            "Hi, we've sent you a DM to look into this.",
        ],
        "phone": [
            "Sorry to hear that. Please call us at {phone} so we can help.",
            "Hi, call us at {phone} and our team will sort it out.",
        ],
        "email": [
            "Please email us at {email} with the details.",
            "Hi, email us at {email} and we'll get back to you.",
        ],
        "web": [
            "Please fill in the form at {url} and we will follow up.",
            "Hi, you can open a ticket at {url} and we'll prioritise it.",
        ],
        "store": [
            "Please visit a store near you so we can check it in person.",
            "Hi, please visit a store this week and they'll sort it out.",
        ],
    },
}

#: Personal greetings put in front of non-canned replies ({first} = customer's first name).
GREETING: dict[str, list[str]] = {
    "es": ["Hola {first}, ", "Buenas, {first}. ", "{first}, "],
    "en": ["Hi {first}, ", "Hello {first}! ", "{first}, "],
}

#: Brand announcements (X posts and blog posts): (title, text).
ANNOUNCEMENT: dict[str, list[tuple[str, str]]] = {
    "es": [
        (
            "Mantenimiento programado",
            "Esta noche haremos tareas de mantenimiento entre las 02:00 y las 05:00. Disculpad las molestias.",
        ),
        ("Nueva app", "Ya está disponible la nueva versión de nuestra app, con un área de clientes renovada."),
        ("Horario de verano", "Os recordamos el nuevo horario de atención de nuestras oficinas a partir del lunes."),
        ("Novedades del mes", "Este mes llegan novedades en tarifas y en el área de clientes. Os lo contamos."),
    ],
    "en": [
        (
            "Scheduled maintenance",
            "Tonight we will run scheduled maintenance between 2am and 5am. Sorry for any disruption.",
        ),
        ("New app", "The new version of our app is out, with a redesigned customer area."),
        ("New opening hours", "A reminder of our new opening hours starting Monday."),
        ("What's new this month", "New plans and a better customer area are coming this month. Here is what changes."),
    ],
}

# --------------------------------------------------------------------------------------------
# Personal (non-canned) brand replies: composed from slots so that no two are near-duplicates
# --------------------------------------------------------------------------------------------

#: greeting with the customer's first name
P_GREET: dict[str, list[str]] = {
    "es": [
        "Hola {first}.",
        "Buenas, {first}.",
        "{first}, buenos días.",
        "Hola de nuevo, {first}.",
        "Qué tal, {first}.",
        "Buenas tardes, {first}.",
        "{first}, te leemos.",
        "Saludos, {first}.",
    ],
    "en": [
        "Hi {first}.",
        "Hello {first}.",
        "{first}, good morning.",
        "Hey {first}.",
        "Hi again, {first}.",
        "Good afternoon, {first}.",
        "{first}, we hear you.",
        "Greetings, {first}.",
    ],
}

#: acknowledgement by planted category
P_ACK: dict[str, dict[str, list[str]]] = {
    "es": {
        "complaint": [
            "Entendemos tu enfado y lo sentimos de verdad.",
            "Qué mala experiencia, perdona.",
            "Esto no debería haber pasado.",
            "Te pedimos disculpas por el lío.",
            "Vaya faena, lamentamos el contratiempo.",
            "Comprendemos la frustración.",
        ],
        "question": [
            "Buena pregunta.",
            "Te explicamos enseguida.",
            "Claro que sí.",
            "Te resolvemos la duda.",
            "Es sencillo, verás.",
            "Con gusto te orientamos.",
        ],
        "praise": [
            "Nos alegra muchísimo leerte.",
            "Qué bien que todo saliera así.",
            "Mensajes como el tuyo motivan al equipo.",
            "Nos has alegrado el día.",
        ],
        "other": [
            "Qué bien verte por aquí.",
            "Nos encanta saber de ti.",
            "Gracias por contar con nosotros.",
            "Un placer leerte.",
        ],
        "still": [
            "Perdona que siga igual.",
            "Sentimos que continúe el problema.",
            "Vaya, seguimos sin dar con ello.",
            "Lamentamos que persista.",
        ],
    },
    "en": {
        "complaint": [
            "We understand the frustration and we are truly sorry.",
            "What a bad experience, apologies.",
            "This should not have happened.",
            "We apologise for the mess.",
            "That sounds rough, sorry for the hassle.",
            "We get why you are upset.",
        ],
        "question": [
            "Good question.",
            "Let us explain.",
            "Sure thing.",
            "Happy to clear that up.",
            "It is simple, here goes.",
            "Glad to point you in the right direction.",
        ],
        "praise": [
            "This made our day.",
            "So happy it went well.",
            "Messages like yours keep the team going.",
            "We are thrilled to read this.",
        ],
        "other": [
            "Nice to see you around.",
            "Lovely to hear from you.",
            "Thanks for choosing us.",
            "Always a pleasure.",
        ],
        "still": [
            "Sorry it is still the same.",
            "We regret the issue continues.",
            "Hmm, we have not nailed it yet.",
            "Sorry this persists.",
        ],
    },
}

#: what the brand does, in the channel (no DM, phone, e-mail, URL, form, store, number)
P_ACT: dict[str, dict[str, list[str]]] = {
    "es": {
        "complaint": [
            "Ya hemos reiniciado tu línea desde aquí.",
            "Acabamos de corregir el cargo en el sistema.",
            "El equipo técnico ha reparado la avería de tu zona.",
            "Hemos reactivado el servicio hace un momento.",
            "Hemos priorizado tu caso con los técnicos.",
            "Acabamos de reenviar la gestión pendiente.",
        ],
        "question": [
            "Se gestiona en la app, sección Mi cuenta, pestaña Datos.",
            "Basta con entrar en Ajustes y elegir la opción nueva.",
            "Se activa sola al día siguiente, sin coste.",
            "Lo encuentras en la app, menú Consumo.",
            "Se puede hacer cuando quieras, el cambio es inmediato.",
            "Aparece en Mis facturas, filtrando por año.",
        ],
        "praise": [
            "Se lo pasamos al equipo ahora mismo.",
            "Lo compartimos con los compañeros.",
            "Lo colgamos en el tablón de la oficina.",
        ],
        "other": ["Que vaya genial.", "Disfruta mucho.", "Aquí seguimos para lo que surja."],
        "still": [
            "Lo hemos vuelto a escalar con prioridad máxima.",
            "Un técnico revisa tu caso de nuevo ahora.",
            "Repetimos la prueba desde nuestro lado esta tarde.",
        ],
    },
    "en": {
        "complaint": [
            "We have just reset your line from here.",
            "We corrected the charge in our system.",
            "The technical team fixed the fault in your area.",
            "We reactivated the service a moment ago.",
            "Your case is now top priority with the engineers.",
            "We resent the pending request just now.",
        ],
        "question": [
            "It is in the app, My account, Details tab.",
            "Just open Settings and pick the new option.",
            "It switches on by itself the next day, free of charge.",
            "You will see it in the app under Usage.",
            "You can do it any time, the change is instant.",
            "It is under My bills, filtered by year.",
        ],
        "praise": [
            "Passing this on to the team right away.",
            "Sharing it with the crew.",
            "It is going up on the office wall.",
        ],
        "other": ["Have a blast.", "Enjoy every minute.", "We are around if anything comes up."],
        "still": [
            "We escalated it again with top priority.",
            "An engineer is reviewing your case again now.",
            "We are rerunning the test on our side this afternoon.",
        ],
    },
}

#: what the brand asks, when it moves the customer to another channel ({phone}, {email}, {url})
P_DEFLECT: dict[str, dict[str, list[str]]] = {
    "es": {
        "dm": [
            "Escríbenos por MD con tu número de cliente.",
            "Cuéntanoslo por mensaje privado con tus datos.",
            "Te hemos escrito por mensaje directo, míralo cuando puedas.",
        ],
        "phone": [
            "Llámanos al {phone} y lo vemos juntos.",
            "Llámanos al {phone} cuando te venga bien.",
            "Te llamamos al número de la ficha, o llámanos al {phone}.",
        ],
        "email": [
            "Escríbenos a {email} con los detalles.",
            "Escríbenos a {email} indicando el contrato.",
            "Mándanos un correo a {email} y lo revisamos.",
        ],
        "web": [
            "Abre una incidencia en {url} y la priorizamos.",
            "Rellena el formulario de {url} y te contactamos.",
            "En {url} tienes el formulario para seguir.",
        ],
        "store": [
            "Visita una tienda cercana y lo revisan en persona.",
            "Acércate a tu tienda más cercana con el ticket.",
            "Pásate por cualquier tienda y te lo cambian.",
        ],
    },
    "en": {
        "dm": [
            "Please send us a DM with your account number.",
            "Drop us a direct message with your details.",
            "We sent you a DM, check it when you can.",
        ],
        "phone": [
            "Please call us at {phone} and we will go through it.",
            "Call us at {phone} whenever suits you.",
            "Give us a call at {phone} and ask for the care team.",
        ],
        "email": [
            "Please email us at {email} with the details.",
            "Email us at {email} with your contract.",
            "Write to us at {email} and we will review it.",
        ],
        "web": [
            "Open a ticket at {url} and we will prioritise it.",
            "Fill in the form at {url} and we will follow up.",
            "The form at {url} is the fastest way to continue.",
        ],
        "store": [
            "Please visit a store near you so they can check it in person.",
            "Visit your nearest store with the receipt.",
            "Visit any of our stores and they will swap it.",
        ],
    },
}

#: closing
P_CLOSE: dict[str, list[str]] = {
    "es": [
        "Quedamos atentos.",
        "Seguimos en contacto por aquí.",
        "Un abrazo.",
        "Feliz día.",
        "Cualquier cosa, nos dices.",
        "Gracias por la paciencia.",
        "Te leemos pronto.",
        "Cuídate mucho.",
        "¡Un saludo! 🙂",
        "Aquí nos tienes 💙",
    ],
    "en": [
        "Talk soon.",
        "We will keep an eye on it.",
        "Take care.",
        "Have a lovely day.",
        "Let us know how it goes.",
        "Thanks for your patience.",
        "Speak soon.",
        "All the best.",
        "Have a good one! 🙂",
        "Always here to help 💙",
    ],
}

#: In-channel canned templates with a case number ({ref}: digits, removed by normalisation).
CANNED_REF: dict[str, list[str]] = {
    "es": ["Hemos registrado tu incidencia {ref}. Te avisamos aquí en cuanto esté resuelta."],
    "en": ["We have logged this as case {ref}. We will update you here once it is resolved."],
}

#: Emoji-only brand replies (their normalised text is empty: never canned).
EMOJI_REPLY: list[str] = ["🙌", "❤️", "👍", "🙏"]
