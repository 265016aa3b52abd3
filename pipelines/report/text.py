"""Words and number formats of the report, in English and Spanish.

Every string a reader sees comes from :data:`TEXT`; numbers, durations and dates are written
by the helpers below so the two languages differ only here.
"""

from __future__ import annotations

import math
from datetime import date, datetime

LANGUAGES = ("en", "es")

#: Follower bands of the equity view (the bands of brand_scorecards.equity_index): their bounds
#: (Words.follower_bands writes them in the report's language).
FOLLOWER_BANDS = ((None, 100), (100, 1_000), (1_000, 10_000), (10_000, 100_000), (100_000, None))

#: First-response buckets: (upper bound in minutes, label key); the last bound is open.
RESPONSE_BUCKETS = ((60, "under_1h"), (240, "1_4h"), (480, "4_8h"), (1440, "8_24h"), (math.inf, "over_24h"))

_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"),
}

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Brand care report",
        "subtitle": "Do brands answer their customers in public, how fast, in the channel, "
                    "equally for small and large accounts, at night and at weekends?",
        "data_up_to": "Data up to {horizon} (UTC)",
        "cases_from_to": "Cases opened {start} to {end}",
        "brands_n": "{n} brands",
        "brands_1": "1 brand",
        "conversations_cut": "Conversations cut on {platform}: {missing} of {replies} replies ({share}) "
                             "answer a message the archives do not hold (a personal archive or a sample "
                             "holds one side of a conversation), {brand_missing} of them by the brands. A "
                             "customer's follow-up then opens a case of its own, and a brand's reply to a "
                             "missing message counts as no response: {platform}'s response rates undercount.",
        "conversations_cut_months": "Conversations cut on {platform} in {months}: {missing} of {replies} "
                                    "replies of that time ({share}) answer a message the archives do not "
                                    "hold, {brand_missing} of them by the brands (an export of those days "
                                    "holds one side of their conversations). {platform}'s response rates of "
                                    "those months undercount, though its other months hold together.",
        "flat_answers": "Answers not threaded on {platform}: {flat} of the brands' {comments} comments there "
                        "answer their own post after customers commented on it, instead of replying to a "
                        "customer's comment (a blog or page that does not nest its comments shows answers "
                        "this way). They reply to no customer message, so they answer no case: "
                        "{platform}'s response rates undercount.",
        "brands_silent": "{names}: {n} of the {total} brands with cases wrote no message the archives "
                         "hold. Their replies are not in the archives (an export of the customers' side "
                         "only, such as a search of mentions) or their accounts are misspelt in the brand "
                         "registry: their response rates of 0% say nothing of how they answer.",
        "brands_absent": "{names}: {n} of the {total} brands in the brand registry have no case: no "
                         "message the archives hold addresses their accounts or aliases, so they are in no "
                         "chart and no ranking. Check the accounts the registry gives them, or add the "
                         "archives that hold their mentions.",
        "months_span": "{n} months from {first} to {last}",
        "brands_shown": "The charts and the leaderboard show the {n} brands with the most actionable "
                        "cases, of {total}; every brand is in the analyst database (brand_scorecards, "
                        "care_cases).",
        "version_note": "Every figure comes from the build this version publishes: the tables of its "
                        "analyst database brandcare.duckdb, named under each chart (the data horizon and "
                        "the cut conversations, from the warehouse models int_data_horizon and int_reply_coverage).",
        "contents": "Contents",
        "nav": "Leaderboard|Trends|First response|Equity|Hours and weekdays|Deflection|Unanswered",
        "how_to_read": "How to read this",
        "source": "Source",
        "no_data": "No data for this section yet.",
        "no_data_cut": "No data: the archives hold no case, and they cut the conversations (the note "
                       "above). They cannot measure care until they hold the messages the replies answer.",
        "kpi_cases": "cases",
        "kpi_actionable": "actionable (complaints and questions)",
        "kpi_response_rate": "answered",
        "kpi_median": "median first response",
        "kpi_unanswered": "left unanswered",
        "kpi_unanswered_open": "left unanswered ({n} still in their response window)",
        # sections
        "leaderboard": "Leaderboard",
        "leaderboard_month": "Leaderboard of {month}",
        "leaderboard_not_final": "No month is final yet (a month is final once every case in it "
                                 "has had its {days}-day response window); shown: {month}, which may still change.",
        "leaderboard_how": "Brands ranked by care score (0-100) for the latest month whose response "
                           "windows have all closed, so its figures can no longer change (while no month has, the "
                           "month holding the most actionable cases, as the note above says). The score "
                           "weighs response rate, speed, in-channel handling, equity, off-hours "
                           "response and recovery; speed, in-channel handling and recovery are measured "
                           "on the answered cases only, so read the score beside the response rate. A brand "
                           "with fewer actionable cases than the ranking minimum gets no rank, and its score "
                           "is not shown here: it shows “too few cases”, not a failing grade. Right: the "
                           "share of actionable cases answered, with its "
                           "95% Wilson interval (the bar): the fewer the cases, the wider the bar; "
                           "two brands whose bars overlap are not clearly different.",
        "care_score": "Care score",
        "response_rate": "Response rate",
        "response_rate_ci": "Response rate (95% interval)",
        "too_few_cases": "too few cases",
        "rank": "Rank",
        "brand": "Brand",
        "sector": "Sector",
        "actionable_cases": "Actionable cases",
        "median_first_response": "Median first response",
        "deflection": "Deflection",
        "deflected_cases": "Answered cases deflected",
        "equity": "Equity",
        "ignored": "Unanswered",
        "trends": "Trends",
        "trends_how": "Each line is a brand, one point per {grain}, in the brand's time zone. Top: "
                      "share of actionable cases answered. Bottom: median time to the first "
                      "answer (log scale: each step up is much slower). A point's size grows with "
                      "its actionable cases (a small point rests on a few: read its swings with "
                      "care). Hollow points are periods that are not final yet: late replies can "
                      "still raise them.",
        "no_response_times": "No case answered: no response time to show.",
        "trends_latest": "The latest {shown} of the {total} months with data: every month since {first} is "
                         "in brand_scorecards.",
        "grain_week": "week",
        "grain_month": "month",
        "week_of": "week starting",
        "first_response": "Time to first response",
        "first_response_how": "Of the actionable cases that were answered, the share answered "
                              "under 1 hour, in 1-4 hours, 4-8 hours, 8-24 hours and after a day, "
                              "per platform (n: answered cases). Customers on social media expect "
                              "an answer within the hour; the red end is the slow tail.",
        "all_platforms": "all platforms",
        "under_1h": "< 1 h", "1_4h": "1-4 h", "4_8h": "4-8 h", "8_24h": "8-24 h", "over_24h": "> 24 h",
        "answered_cases": "answered cases",
        "equity_title": "Equity: response rate by follower band",
        "equity_how": "Are small accounts answered as often as large ones? Each cell is the "
                      "share of a brand's actionable cases answered, for customers with that many "
                      "followers; n is the number of actionable cases behind it (customers with "
                      "unknown followers are left out). A row that turns green to the right means "
                      "the brand favours large accounts. The scorecards' equity index is the "
                      "smallest band's rate divided by the largest band's (over bands with enough "
                      "cases): 1 is equal treatment, 0.5 means small accounts are answered half as often. "
                      "A band of fewer than {min_cases} cases stays grey. Every month the scorecards hold: "
                      "the leaderboard's equity is its month's.",
        "followers": "Customer's followers",
        "hours_title": "When customers write, and who answers at night and on Sundays",
        "hours_cases_how": "Top: cases opened per weekday and hour, every brand in its own time "
                           "zone (darker: more cases). Below: per brand, the share of actionable "
                           "cases answered for each weekday and three-hour block of the brand's "
                           "local time; grey cells have fewer than {min_cases} actionable cases, and a "
                           "brand without a block of as many is left out.",
        "cases_opened": "Cases opened (all brands, local time)",
        "hour_local": "local hour",
        "deflection_title": "Deflection and canned replies",
        "deflection_how": "Left: the share of each brand's replies that push the customer to "
                          "another channel (direct message, phone, email, a web form or a store) "
                          "instead of helping in public. Right: the share of its replies that "
                          "are canned (near-identical text sent at least {canned} times in a month). Every "
                          "month the scorecards hold, as shares of replies: the leaderboard's deflection is its "
                          "month's share of answered cases.",
        "share_of_replies": "share of brand replies",
        "canned_share": "Canned replies",
        "channel_dm": "direct message", "channel_phone": "phone", "channel_email": "email",
        "channel_web": "web form", "channel_store": "store",
        "unanswered_title": "Unanswered cases with the widest reach",
        "unanswered_how": "Complaints and questions no brand account answered within the "
                          "response window, customers with the most followers first: what many "
                          "people saw go unanswered. “open” marks cases whose window is still open "
                          "(they may still be answered).",
        "followers_short": "Followers",
        "platform": "Platform",
        "customer": "Customer",
        "opened": "Opened (brand's local time)",
        "intent": "Intent",
        "text": "Text",
        "link": "Link",
        "view_original": "original",
        "still_open": "open",
        "complaint": "complaint", "question": "question",
        "weekdays": "Mon Tue Wed Thu Fri Sat Sun",
        "unknown": "unknown",
    },
    "es": {
        "title": "Informe de atención al cliente",
        "subtitle": "¿Responden las marcas a sus clientes en público, con qué rapidez, en el mismo "
                    "canal, igual a cuentas pequeñas y grandes, de noche y en fin de semana?",
        "data_up_to": "Datos hasta {horizon} (UTC)",
        "cases_from_to": "Casos abiertos del {start} al {end}",
        "brands_n": "{n} marcas",
        "brands_1": "1 marca",
        "conversations_cut": "Conversaciones cortadas en {platform}: {missing} de {replies} respuestas "
                             "({share}) contestan a un mensaje que los archivos no contienen (un archivo "
                             "personal o una muestra guarda un lado de la conversación), {brand_missing} de "
                             "ellas de las marcas. El seguimiento de un cliente abre entonces su propio caso y "
                             "la respuesta de una marca a un mensaje ausente no cuenta como respuesta: las "
                             "tasas de respuesta de {platform} se quedan cortas.",
        "conversations_cut_months": "Conversaciones cortadas en {platform} en {months}: {missing} de {replies} "
                                    "respuestas de esas fechas ({share}) contestan a un mensaje que los archivos "
                                    "no contienen, {brand_missing} de ellas de las marcas (una exportación de "
                                    "esos días guarda un lado de sus conversaciones). Las tasas de respuesta de "
                                    "{platform} de esos meses se quedan cortas, aunque sus otros meses están "
                                    "completos.",
        "flat_answers": "Respuestas sin hilo en {platform}: {flat} de los {comments} comentarios de las marcas "
                        "responden a su propia entrada después de que comentaran clientes, en lugar de "
                        "responder al comentario de un cliente (un blog o una página que no anida sus "
                        "comentarios muestra así las respuestas). No responden a ningún mensaje de cliente, "
                        "así que no responden a ningún caso: las tasas de respuesta de {platform} se quedan cortas.",
        "brands_silent": "{names}: {n} de las {total} marcas con casos no escribieron ningún mensaje "
                         "que los archivos contengan. Sus respuestas no están en los archivos (una "
                         "exportación solo del lado de los clientes, como una búsqueda de menciones) o sus "
                         "cuentas están mal escritas en el registro de marcas: su tasa de respuesta del 0 % "
                         "no dice nada de cómo responden.",
        "brands_absent": "{names}: {n} de las {total} marcas del registro de marcas no tienen ningún "
                         "caso: ningún mensaje de los archivos se dirige a sus cuentas o alias, así que no "
                         "aparecen en ningún gráfico ni en la clasificación. Revisa las cuentas que les da el "
                         "registro o añade los archivos que contienen sus menciones.",
        "months_span": "{n} meses, de {first} a {last}",
        "brands_shown": "Los gráficos y la clasificación muestran las {n} marcas con más casos "
                        "accionables, de {total}; todas las marcas están en la base de datos de análisis "
                        "(brand_scorecards, care_cases).",
        "version_note": "Todas las cifras salen de la construcción que publica esta versión: las tablas de "
                        "su base de datos brandcare.duckdb, indicadas bajo cada gráfico (el horizonte de datos "
                        "y las conversaciones cortadas, de los modelos del almacén int_data_horizon e "
                        "int_reply_coverage).",
        "contents": "Contenido",
        "nav": "Clasificación|Evolución|Primera respuesta|Equidad|Horas y días|Derivación|Sin respuesta",
        "how_to_read": "Cómo leerlo",
        "source": "Fuente",
        "no_data": "Aún no hay datos para esta sección.",
        "no_data_cut": "Sin datos: los archivos no tienen ningún caso y cortan las conversaciones (la nota "
                       "de arriba). No pueden medir la atención mientras no tengan los mensajes a los que "
                       "responden las respuestas.",
        "kpi_cases": "casos",
        "kpi_actionable": "accionables (quejas y preguntas)",
        "kpi_response_rate": "respondidos",
        "kpi_median": "mediana de primera respuesta",
        "kpi_unanswered": "sin respuesta",
        "kpi_unanswered_open": "sin respuesta ({n} aún en su ventana de respuesta)",
        "leaderboard": "Clasificación",
        "leaderboard_month": "Clasificación de {month}",
        "leaderboard_not_final": "Aún no hay ningún mes cerrado (un mes se cierra cuando todos sus "
                                 "casos han cumplido su ventana de respuesta de {days} días); se "
                                 "muestra {month}, que aún puede cambiar.",
        "leaderboard_how": "Marcas ordenadas por puntuación de atención (0-100) del último mes cuyas "
                           "ventanas de respuesta se han cerrado, de modo que sus cifras ya no "
                           "cambian (mientras ninguno lo esté, el mes con más casos accionables, como dice la nota). "
                           "La puntuación pondera la tasa de respuesta, la rapidez, la "
                           "atención en el propio canal, la equidad, la respuesta fuera de horario y "
                           "la recuperación; la rapidez, la atención en el canal y la recuperación se miden "
                           "sobre los casos respondidos, así que la puntuación se lee junto a la tasa de "
                           "respuesta. Una marca con menos casos accionables que el mínimo no recibe puesto, "
                           "y su puntuación no se muestra aquí: aparece «pocos casos», no un suspenso. "
                           "Derecha: la parte de los casos accionables respondida, con su intervalo "
                           "de Wilson al 95 % (la barra): cuantos menos casos, más ancha; dos marcas "
                           "cuyas barras se solapan no son claramente distintas.",
        "care_score": "Puntuación de atención",
        "response_rate": "Tasa de respuesta",
        "response_rate_ci": "Tasa de respuesta (intervalo del 95 %)",
        "too_few_cases": "pocos casos",
        "rank": "Puesto",
        "brand": "Marca",
        "sector": "Sector",
        "actionable_cases": "Casos accionables",
        "median_first_response": "Mediana de primera respuesta",
        "deflection": "Derivación",
        "deflected_cases": "Casos respondidos derivados",
        "equity": "Equidad",
        "ignored": "Sin respuesta",
        "trends": "Evolución",
        "trends_how": "Cada línea es una marca, un punto por {grain}, en la zona horaria de la "
                      "marca. Arriba: parte de los casos accionables respondida. Abajo: mediana "
                      "del tiempo hasta la primera respuesta (escala logarítmica: cada escalón es "
                      "mucho más lento). El tamaño de un punto crece con sus casos accionables "
                      "(un punto pequeño descansa en pocos: lee sus saltos con cuidado). Los "
                      "puntos huecos son periodos aún abiertos: las respuestas tardías todavía "
                      "pueden subirlos.",
        "no_response_times": "Ningún caso respondido: no hay tiempos de respuesta que mostrar.",
        "trends_latest": "Los últimos {shown} de los {total} meses con datos: cada mes desde {first} "
                         "está en brand_scorecards.",
        "grain_week": "semana",
        "grain_month": "mes",
        "week_of": "semana que empieza",
        "first_response": "Tiempo hasta la primera respuesta",
        "first_response_how": "De los casos accionables respondidos, la parte respondida en menos "
                              "de 1 hora, en 1-4 horas, 4-8 horas, 8-24 horas y después de un día, "
                              "por plataforma (n: casos respondidos). En redes sociales el cliente "
                              "espera respuesta en la hora; el extremo rojo es la cola lenta.",
        "all_platforms": "todas las plataformas",
        "under_1h": "< 1 h", "1_4h": "1-4 h", "4_8h": "4-8 h", "8_24h": "8-24 h", "over_24h": "> 24 h",
        "answered_cases": "casos respondidos",
        "equity_title": "Equidad: tasa de respuesta por número de seguidores",
        "equity_how": "¿Se responde a las cuentas pequeñas tanto como a las grandes? Cada celda es "
                      "la parte de los casos accionables de una marca respondida, para clientes "
                      "con esos seguidores; n es el número de casos accionables (se omiten los "
                      "clientes de seguidores desconocidos). Una fila que se vuelve verde hacia la "
                      "derecha indica que la marca favorece a las cuentas grandes. El índice de "
                      "equidad del cuadro de mando es la tasa de la franja más pequeña dividida por "
                      "la de la más grande (entre franjas con casos suficientes): 1 es trato igual; "
                      "0,5, que a las cuentas pequeñas se les responde la mitad. Una franja de menos de "
                      "{min_cases} casos queda en gris. Todos los meses del cuadro de mando: la equidad "
                      "de la clasificación es la de su mes.",
        "followers": "Seguidores del cliente",
        "hours_title": "Cuándo escriben los clientes y quién responde de noche y en domingo",
        "hours_cases_how": "Arriba: casos abiertos por día de la semana y hora, cada marca en su "
                           "propia zona horaria (más oscuro: más casos). Debajo: por marca, la "
                           "parte de los casos accionables respondida por día de la semana y franja "
                           "de tres horas de la hora local de la marca; en gris, celdas con menos de "
                           "{min_cases} casos accionables, y se omite la marca sin ninguna franja con "
                           "tantos.",
        "cases_opened": "Casos abiertos (todas las marcas, hora local)",
        "hour_local": "hora local",
        "deflection_title": "Derivación a otros canales y respuestas enlatadas",
        "deflection_how": "Izquierda: la parte de las respuestas de cada marca que manda al cliente "
                          "a otro canal (mensaje directo, teléfono, correo, un formulario web o una "
                          "tienda) en lugar de ayudarle en público. Derecha: la parte de sus "
                          "respuestas que son enlatadas (texto casi idéntico enviado al menos "
                          "{canned} veces en un mes). Todos los meses del cuadro de mando, como parte de "
                          "las respuestas: la derivación de la clasificación es la de su mes, sobre los casos "
                          "respondidos.",
        "share_of_replies": "parte de las respuestas de la marca",
        "canned_share": "Respuestas enlatadas",
        "channel_dm": "mensaje directo", "channel_phone": "teléfono", "channel_email": "correo",
        "channel_web": "formulario web", "channel_store": "tienda",
        "unanswered_title": "Casos sin respuesta de mayor alcance",
        "unanswered_how": "Quejas y preguntas que ninguna cuenta de la marca respondió dentro de la "
                          "ventana de respuesta, primero los clientes con más seguidores: lo que "
                          "mucha gente vio quedar sin respuesta. «abierto» marca los casos cuya "
                          "ventana sigue abierta (aún pueden responderse).",
        "followers_short": "Seguidores",
        "platform": "Plataforma",
        "customer": "Cliente",
        "opened": "Recibido (hora local de la marca)",
        "intent": "Intención",
        "text": "Texto",
        "link": "Enlace",
        "view_original": "original",
        "still_open": "abierto",
        "complaint": "queja", "question": "pregunta",
        "weekdays": "lun mar mié jue vie sáb dom",
        "unknown": "desconocido",
    },
}


class Words:
    """The report's words and number formats in one language."""

    def __init__(self, language: str = "en"):
        if language not in LANGUAGES:
            raise ValueError(f"report language {language!r} is not one of {', '.join(LANGUAGES)}")
        self.language = language
        self._text = TEXT[language]

    def __call__(self, key: str, **values) -> str:
        text = self._text[key]
        return text.format(**values) if values else text

    @property
    def nav(self) -> list[str]:
        """Short names of the sections, in page order (the contents bar)."""
        return self._text["nav"].split("|")

    @property
    def weekdays(self) -> list[str]:
        return self._text["weekdays"].split()

    def number(self, value: float | int | None, digits: int = 0) -> str:
        """``1,234.5`` in English, ``1.234,5`` in Spanish; an en dash for NULL."""
        if value is None:
            return "–"
        text = f"{value:,.{digits}f}"
        if self.language == "es":
            text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
        return text

    def percent(self, share: float | None) -> str:
        """A share in [0, 1] as ``87%`` (``87 %`` in Spanish). A share that rounds to 0% or 100%
        without being it reads ``<1%`` or ``>99%``: 15 answered of 7,878 is not "0% answered"."""
        if share is None:
            return "–"
        sign = " %" if self.language == "es" else "%"
        if 0 < share < 0.005:
            return f"<1{sign}"
        if 0.995 <= share < 1:
            return f">99{sign}"
        return f"{self.number(100 * share)}{sign}"

    @property
    def follower_bands(self) -> list[str]:
        """``<100``, ``100-999``, ``1,000-9,999`` (``1.000-9.999`` in Spanish), ..., ``≥100,000``."""
        return [f"<{self.number(high)}" if low is None else f"≥{self.number(low)}" if high is None
                else f"{self.number(low)}-{self.number(high - 1)}" for low, high in FOLLOWER_BANDS]

    def brands(self, n: int) -> str:
        """``1 brand``, ``3 brands``."""
        return self("brands_1") if n == 1 else self("brands_n", n=n)

    def compact(self, value: int | None) -> str:
        """Follower counts: ``950``, ``12.3k``, ``1.98 M`` (Spanish: ``12,3 mil``, ``1,98 M``)."""
        if value is None:
            return self("unknown")
        if value >= 1_000_000:
            return f"{self.number(value / 1_000_000, 2)} M"
        if value >= 10_000:
            return f"{self.number(value / 1000, 1)}{' mil' if self.language == 'es' else 'k'}"
        return self.number(value)

    def duration(self, minutes: float | None) -> str:
        """Minutes as ``45 min``, ``1 h 23 min``, ``2 d 3 h``; an en dash for NULL."""
        if minutes is None:
            return "–"
        total = round(minutes)
        if total < 1:
            return "< 1 min"
        days, rest = divmod(total, 1440)
        hours, mins = divmod(rest, 60)
        if days:
            return f"{days} d {hours} h" if hours else f"{days} d"
        if hours:
            return f"{hours} h {mins} min" if mins else f"{hours} h"
        return f"{mins} min"

    def month(self, day: date) -> str:
        """``October 2026`` / ``octubre de 2026``."""
        name = _MONTHS[self.language][day.month - 1]
        return f"{name} de {day.year}" if self.language == "es" else f"{name} {day.year}"

    def day(self, day: date) -> str:
        """``12 Oct 2026`` / ``12 oct 2026``."""
        name = _MONTHS[self.language][day.month - 1][:3]
        return f"{day.day} {name} {day.year}"

    def short_day(self, day: date) -> str:
        """``12 Oct`` / ``12 oct``: axis ticks."""
        return f"{day.day} {_MONTHS[self.language][day.month - 1][:3]}"

    def short_month(self, day: date) -> str:
        """``Oct 2026``: axis ticks."""
        return f"{_MONTHS[self.language][day.month - 1][:3]} {day.year}"

    def moment(self, when: datetime) -> str:
        """``12 Oct 2026, 14:05`` (the caller names the zone)."""
        return f"{self.day(when.date())}, {when:%H:%M}"
