"""Customer texts of the sample generator besides the openings (``texts_openings``): follow-ups,
tweetstorms, nudges, two-brand messages, names, and the planted sentiment of each kind.

Follow-ups keep their kind unmistakable: thanks (thanks the brand, or says it is solved), still
(the problem goes on), question, neutral (an acknowledgement: no thanks, no complaint).
"""

from __future__ import annotations

from pipelines.sample.texts_openings import CUSTOMER  # noqa: F401  (the opening messages)

#: Two brands named in one message: {b1}, {b2}.
TWO_BRANDS: dict[str, dict[str, list[str]]] = {
    "es": {
        "complaint": [
            "{b1} y {b2}, ninguno de los dos me soluciona nada, qué desastre",
            "Entre {b1} y {b2} llevo una semana esperando, fatal los dos",
        ],
        "question": ["¿Alguien sabe si {b1} o {b2} tienen oficina en Valencia?"],
    },
    "en": {
        "complaint": [
            "{b1} and {b2} both terrible today, nothing is working",
            "Still waiting on both {b1} and {b2}, worst week",
        ],
        "question": ["Does anyone know if {b1} or {b2} has an office in Boston?"],
    },
}

#: Customer follow-ups replying to a brand reply (text gets "@brandhandle " in front).
FOLLOW_UP: dict[str, dict[str, list[str]]] = {
    "es": {
        "thanks": [
            "gracias, ya funciona",
            "¡genial, solucionado! gracias",
            "perfecto, muchas gracias por la ayuda",
            "mil gracias, ya va todo",
        ],
        "still": [
            "sigue sin funcionar",
            "llevo dos horas esperando y nada, un desastre",
            "fatal, sigo igual",
            "nada, sigue sin funcionar",
        ],
        "question": ["vale, ¿y cuándo tendré respuesta?", "¿y cuánto tardará?"],
    },
    "en": {
        "thanks": [
            "thanks, it works now",
            "great, all fixed, thank you",
            "amazing, thanks for the quick help",
            "all good now, thanks",
        ],
        "still": ["still not working", "still waiting, this is terrible", "it's broken again", "nope, still broken"],
        "question": ["ok, and when will I hear back?", "how long will it take?"],
    },
}

#: A customer replying to their own tweet (tweetstorm), without naming the brand.
STORM: dict[str, list[str]] = {
    "es": [
        "y encima me han cobrado el mes entero, fatal",
        "tercera vez este mes, un desastre",
        "y nadie responde al teléfono, terrible",
    ],
    "en": [
        "and they charged me twice too, worst company",
        "third time this month, terrible",
        "and nobody picks up the phone, terrible",
    ],
}

#: A customer nudging the brand under their own unanswered tweet.
NUDGE: dict[str, list[str]] = {
    "es": ["{b} hola, sigo esperando respuesta", "{b} llevo horas esperando, un desastre"],
    "en": ["{b} hello, still waiting for an answer", "{b} still waiting, terrible"],
}

FIRST_NAMES: dict[str, list[str]] = {
    "es": [
        "María",
        "Lucía",
        "Carmen",
        "Marta",
        "Paula",
        "Elena",
        "Sara",
        "Laura",
        "Ana",
        "Julia",
        "Javier",
        "Pablo",
        "Daniel",
        "Alejandro",
        "David",
        "Sergio",
        "Jorge",
        "Carlos",
        "Adrián",
        "Diego",
        "Nuria",
        "Irene",
        "Rocío",
        "Hugo",
        "Álvaro",
        "Mario",
        "Rubén",
        "Andrea",
        "Noelia",
        "Iván",
    ],
    "en": [
        "Emily",
        "Olivia",
        "Emma",
        "Sophia",
        "Ava",
        "Mia",
        "Grace",
        "Chloe",
        "Hannah",
        "Ella",
        "James",
        "Michael",
        "Ethan",
        "Noah",
        "Liam",
        "Mason",
        "Logan",
        "Lucas",
        "Owen",
        "Caleb",
        "Megan",
        "Tyler",
        "Ryan",
        "Nathan",
        "Zoe",
        "Lily",
        "Jack",
        "Henry",
        "Aaron",
        "Ruby",
    ],
}

LAST_NAMES: dict[str, list[str]] = {
    "es": [
        "García",
        "Martínez",
        "López",
        "Sánchez",
        "Pérez",
        "Gómez",
        "Martín",
        "Jiménez",
        "Ruiz",
        "Hernández",
        "Díaz",
        "Moreno",
        "Muñoz",
        "Álvarez",
        "Romero",
        "Navarro",
        "Torres",
        "Domínguez",
        "Vázquez",
        "Ramos",
        "Gil",
        "Serrano",
        "Molina",
        "Ortega",
        "Delgado",
        "Castro",
        "Rubio",
        "Marín",
    ],
    "en": [
        "Smith",
        "Johnson",
        "Williams",
        "Brown",
        "Jones",
        "Miller",
        "Davis",
        "Wilson",
        "Anderson",
        "Taylor",
        "Thomas",
        "Moore",
        "Martin",
        "Jackson",
        "Thompson",
        "White",
        "Harris",
        "Clark",
        "Lewis",
        "Walker",
        "Hall",
        "Young",
        "Allen",
        "King",
        "Wright",
        "Scott",
        "Green",
        "Baker",
    ],
}

# --------------------------------------------------------------------------------------------
# Sentiment of planted customer messages, and follow-ups
# --------------------------------------------------------------------------------------------

#: Planted sentiment of a customer message by its planted intent (openings):
#: complaints are unmistakably negative, praise positive, questions and "other" neutral.
OPENING_SENTIMENT = {"complaint": "negative", "question": "neutral", "praise": "positive", "other": "neutral"}

#: Customer follow-up kinds: (planted intent, planted sentiment, thanks the brand).
FOLLOW_UP_KIND = {
    "thanks": ("praise", "positive", True),
    "still": ("complaint", "negative", False),
    "question": ("question", "neutral", False),
    "neutral": ("other", "neutral", False),
}

#: Neutral acknowledgements (no thanks, no praise, no complaint): recovered but not resolved.
FOLLOW_UP["es"]["neutral"] = ["ok, lo reviso", "vale, lo miro esta tarde", "ok, ahora lo pruebo"]
FOLLOW_UP["en"]["neutral"] = ["ok, will check", "ok, trying that now", "alright, I will look at it tonight"]
