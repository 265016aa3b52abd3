"""Hand-written Spanish and English examples for pipelines.classify.

The lexicon and rule model (``lexicon_classify``: sentiment, intent, deflection) is no longer
what classify_messages publishes, but its signals are features of the learned classifiers and
it is the baseline they are measured against: its rules keep their tests here. Thanks,
sign-offs, canned text and language are still rules of classify_messages. The learned
classifiers' quality is measured on held-out data (tests/test_classifier_eval.py).
"""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.canonical import CLASSIFICATION_COLUMNS
from pipelines.classify import classify_messages, fold, lexicon_classify, normalise_for_canned


def classify_one(text: str | None, lang: str | None = None) -> dict:
    return classify_messages(
        pl.DataFrame(
            {"text": [text], "lang": [lang]}, schema={"text": pl.String, "lang": pl.String}
        )
    ).row(0, named=True)


def lexicon_one(text: str | None) -> dict:
    """The lexicon and rule model's reading of one text."""
    return lexicon_classify(pl.DataFrame({"text": [text]}, schema={"text": pl.String})).row(0, named=True)


# --------------------------------------------------------------------------- sentiment

SENTIMENT_CASES = [
    # negation as a phrase, and negation flipping a term
    ("No funciona el internet", "negative"),
    ("Llevo 3 días sin servicio", "negative"),
    ("Internet is not working again", "negative"),
    ("no está mal", "positive"),
    ("The new app is not bad", "positive"),
    ("No es genial, la verdad", "negative"),
    ("It's not great", "negative"),
    ("Sin problema, ya lo miro", "positive"),
    ("I don't have any problems with the router", "positive"),
    # plain lexicon terms
    ("Pésimo servicio, un desastre", "negative"),
    ("Una grata experiencia, me resolvieron el problema en el día", "positive"),
    ("No me resolvieron nada", "negative"),
    ("Worst airline ever, flight cancelled", "negative"),
    ("Gracias, ya funciona todo", "positive"),
    ("Amazing support, thanks!", "positive"),
    ("Quiero cambiar mi tarifa", "neutral"),
    ("My order number is 12345", "neutral"),
    ("Buenos días", "neutral"),
    # emoji, with and without the variation selector
    ("😡😡😡", "negative"),
    ("👎", "negative"),
    ("❤️", "positive"),
    ("🙏", "positive"),
    ("Todo perfecto 😍😊", "positive"),
    # accents and case are folded
    ("PÉSIMO", "negative"),
    ("EXCELENTE atención", "positive"),
    # the clause after "pero"/"but" decides a mixed message
    ("El personal muy amable pero el retraso fue terrible", "negative"),
    ("Crew were lovely but the delay was awful", "negative"),
    ("Tardaron un poco pero todo perfecto", "positive"),
    # Spanish negative concord: "nada" negates too
    ("No ha estado nada mal", "positive"),
    ("No está nada bien", "negative"),
    ("No vino nadie", "negative"),
    # sarcastic thanks
    ("Genial, tercer corte. Gracias por nada 🙄", "negative"),
    # a brand apology is neutral; what follows it counts
    ("Sentimos las molestias, escríbenos por MD", "neutral"),
    ("Sorry for the delay, we'll update you here as soon as it's resolved", "neutral"),
    ("Sorry for the trouble, it's fixed now", "positive"),
    ("Lo sentimos, pero no podemos reembolsar la tarifa básica", "negative"),
    # links and handles do not score
    ("@happy_customer https://t.co/fail", "neutral"),
]


@pytest.mark.parametrize(("text", "expected"), SENTIMENT_CASES)
def test_sentiment(text: str, expected: str) -> None:
    assert lexicon_one(text)["sentiment"] == expected


def test_intensifier_strengthens_the_next_term() -> None:
    plain, intensified = (
        lexicon_one("bueno")["sentiment_score"],
        lexicon_one("muy bueno")["sentiment_score"],
    )
    assert 0 < plain < intensified
    assert lexicon_one("very bad")["sentiment_score"] < lexicon_one("bad")["sentiment_score"] < 0
    # negated and intensified: as strong as the intensified term, with its sign flipped
    assert lexicon_one("no muy bueno")["sentiment_score"] == pytest.approx(-intensified)


def test_longer_phrase_wins() -> None:
    assert (
        lexicon_one("no funciona nada")["sentiment_score"]
        < lexicon_one("no funciona")["sentiment_score"]
    )


def test_phrase_negator_is_not_counted_twice() -> None:
    # "no funciona" is one negative term; its "no" must not also flip "desastre"
    assert (
        lexicon_one("no funciona")["sentiment_score"]
        == lexicon_one("funciona no funciona")["sentiment_score"]
    )
    assert (
        lexicon_one("no funciona desastre")["sentiment_score"]
        < lexicon_one("no funciona")["sentiment_score"]
    )


def test_exclamation_marks_strengthen_the_score() -> None:
    plain, one, many = (lexicon_one(text)["sentiment_score"] for text in ("genial", "genial!", "genial!!!!!!"))
    assert 0 < plain < one < many
    assert lexicon_one("terrible!!")["sentiment_score"] < lexicon_one("terrible")["sentiment_score"] < 0
    assert lexicon_one("¡Hola!")["sentiment_score"] == 0.0


def test_negation_does_not_cross_punctuation_or_flip_thanks() -> None:
    assert lexicon_one("No, genial")["sentiment"] == "positive"
    assert lexicon_one("no sé, gracias")["sentiment"] == "positive"


def test_score_is_bounded_and_thresholded() -> None:
    out = lexicon_classify(pl.DataFrame({"text": ["desastre " * 50, "genial " * 50, "", None]}))
    scores = out["sentiment_score"].to_list()
    assert -1 <= scores[0] < -0.99 and 0.99 < scores[1] <= 1
    assert scores[2:] == [0.0, 0.0]
    assert out["sentiment"].to_list() == ["negative", "positive", "neutral", "neutral"]


# --------------------------------------------------------------------------- intent and thanks

INTENT_CASES = [
    ("Mi fibra no funciona desde ayer", "complaint"),
    ("Llevo dos semanas esperando el técnico", "complaint"),
    ("Flight cancelled, I want a refund", "complaint"),
    ("¿Por qué no me funciona el router?", "complaint"),  # complaint outranks question
    ("Quiero poner una queja", "complaint"),
    ("Nunca me contestan", "complaint"),
    ("The app keeps crashing", "complaint"),
    ("¿Cómo puedo cambiar mi tarifa?", "question"),
    ("cuando abre la tienda de Sol", "question"),
    ("How do I change my password", "question"),
    ("Is there a store in Leeds?", "question"),
    ("Muchas gracias por la ayuda, sois unos cracks", "praise"),
    ("Love the new app ❤️", "praise"),
    ("Thanks!", "praise"),
    ("Acabo de contratar la fibra", "other"),
    ("@iberia vuelo IB3166", "other"),
    # policy: a question about a problem the customer is suffering is a complaint
    ("@paqueteria ¿dónde está mi paquete? lleva 5 días sin moverse", "complaint"),
    ("Why have I been charged twice?? @brand", "complaint"),
    ("When are you going to fix the app? It's been down since Friday", "complaint"),
    ("@movil sigo igual, el router parpadea", "complaint"),
    ("@brand same problem as before", "complaint"),
    # indirect questions without "?"
    ("Hola, quería saber si puedo portar mi número", "question"),
    ("need to know how to forward calls", "question"),
    # a waiting passenger is not complaining
    ("Esperando el embarque en la T4", "other"),
]


@pytest.mark.parametrize(("text", "expected"), INTENT_CASES)
def test_intent(text: str, expected: str) -> None:
    assert lexicon_one(text)["intent"] == expected


THANKS_CASES = [
    ("Muchas gracias!", True),
    ("Ya funciona, gracias", True),
    ("Solucionado 👍", True),
    ("Me lo solucionaron en el día", True),
    ("Nunca me lo solucionaron", False),
    ("Thank you so much", True),
    ("It works now", True),
    ("Fixed, cheers", True),
    ("Todavía no está solucionado", False),
    ("Still not fixed", False),
    ("Thanks for nothing", False),
    ("No, gracias", False),
    ("Thanks in advance, how do I reset it?", False),
    ("El router no funciona", False),
]


@pytest.mark.parametrize(("text", "expected"), THANKS_CASES)
def test_is_thanks(text: str, expected: bool) -> None:
    assert classify_one(text)["is_thanks"] is expected


# --------------------------------------------------------------------------- deflection

DEFLECTION_CASES = [
    ("Hola, envíanos un MD con tu número de cliente y lo revisamos", "dm"),
    ("Por favor, escríbenos por mensaje privado", "dm"),
    ("Please send us a DM with your booking reference", "dm"),
    ("Could you follow us and send a direct message?", "dm"),
    ("Llámanos al 900 123 456 y te ayudamos", "phone"),
    ("Puedes contactar en el 902 10 20 30", "phone"),
    ("Please call us on 1-800-275-2273", "phone"),
    ("Contacta al +34 912 345 678", "phone"),
    ("Give us a call and we'll sort it", "phone"),
    ("Escríbenos a atencion@empresa.es con los detalles", "email"),
    ("Email us at help@brand.co.uk", "email"),
    ("Envíanos un correo y lo miramos", "email"),
    ("Puedes tramitarlo en https://t.co/AbC123", "web"),
    ("Rellena el formulario de reclamaciones, por favor", "web"),
    ("Please use our web form to request the refund", "web"),
    ("Visita una de nuestras tiendas y te lo cambian", "store"),
    ("Please visit your nearest store with the receipt", "store"),
    # in-channel answers: no deflection
    ("Ya está solucionado, reinicia el router", None),
    ("Sorry about that! The outage is fixed now, please restart the app", None),
    ("Tu incidencia 123456789 está resuelta", None),  # a ticket number is not a phone number
    ("Hola @maria_lopez1234567890, gracias por avisar", None),  # nor are digits in a handle
    ("We're so sorry to hear that. Which flight were you on?", None),
    # a trailing link nothing points at is attached media; a pointed-at link is a deflection
    ("¡Gracias por compartirlo! 😍 https://t.co/Lk93Hd", None),
    ("Tienes los pasos aquí: https://t.co/Qw12Er", "web"),
    ("Para el reembolso entra en brisaair.example/reembolsos", "web"),
    # a link whose address names a help page is the web wherever it stands; a shortened one
    # says nothing, unless a few words before it name it or offer more behind it
    ("Sorry! These steps should clear it https://support.brand.example/article/E-104", "web"),
    ("Sorry! These steps should clear it https://t.co/Qw12Er", None),
    ("You can request it via this link -  https://t.co/Qw12Er", "web"),
    ("Click here for more info. https://t.co/Qw12Er", "web"),
    ("Please provide more details so we can assist. https://t.co/Qw12Er", None),
    ("Please send us an email at https://help.brand.example/requests/new", "email"),
    ("Check out https://brand.example/careers/photos for openings", "web"),
    ("Nice shot! https://twitter.com/someone/status/123/photo/1", None),
    # a phone line named by its name (Audiomático: a bank's telephone banking)
    ("Ingresa a Audiomático con los 16 dígitos de tu tarjeta.", "phone"),
    # customer, account and tracking numbers are not phone numbers; phone-shaped numbers are
    ("Hola, tu número de cliente 123456789 ya tiene la tarifa activa", None),
    ("Your account 1234567890 has been switched to the new plan", None),
    ("We've found parcel PC 2024 5567 8812, it's out for delivery", None),
    ("Hi, 1-800-555-0199 is open 7am to midnight", "phone"),
    ("Can you contact our phone support team? (555) 234-5678", "phone"),
    ("Buenas, en el 91 234 56 78 te atienden", "phone"),
    ("We'll give you a call shortly", "phone"),
    # a channel mentioned only to say it is not needed
    ("No hace falta que nos escribas por privado, ya está cambiado", None),
    ("No need to DM us, we've changed it from here", None),
    # a document sent by e-mail does not move the conversation; a case continued by e-mail does
    ("La factura rectificativa te llega por mail en 24 h", None),
    ("Hi, we've sent you an email with the steps", "email"),
    # in-app directions answer the question in the channel
    ("Puedes hacerlo desde la app, en Mis pedidos > Devolver", None),
    # branches, offices and desks are stores
    ("Acércate a tu oficina con el DNI", "store"),
    ("Please take the form to any of our branches", "store"),
    # an agent's initials that spell a channel are a sign-off (agents sign ^MP, -MD, *DM
    # on every reply: read as DMs, they made a brand's every reply a deflection)
    ("The resolution provided is the best we can offer at this point. ^MP", None),
    ("Here's how to reach them: https://help.brand.example/kb/contact -MD", "web"),
    ("Sorry to hear that, we're checking it now *DM", None),
    ("Please follow/DM your confirmation number so I can look into it", "dm"),
    # following opens X's direct messages; whitespace runs inside a phrase
    ("Hola Ana, ya te seguimos. Quedamos a la espera de tu consulta.", "dm"),
    ("Por favor síguenos para dar seguimiento a tu caso.", "dm"),
    ("Te pedimos que nos escribas por mensaje  directo.", "dm"),
    ("Please send us a PM so we can work with you 1:1", "dm"),
    ("The store opens at 9 PM on Fridays", None),
    ("Si es necesario, intenta nuevamente llamarnos.", "phone"),
    ("Te pedimos verificar tu bandeja de entrada, por favor.", "email"),
    ("Please keep an eye out for an email from our specialists.", "email"),
    ("Te sugerimos comunicarte por correo.", "email"),
    ("Kindly visit the nearest outlet for a SIM replacement.", "store"),
    ("You can use the ticket office to collect your tickets.", "store"),
    ("Could you confirm you've shared your details on the link provided earlier?", "web"),
    ("Puede darse de alta accediendo a la web https://t.co/Qw12Er y pulsando en Acceso.", "web"),
    # the customer's phone number asked for as data of the case is not a channel (POLICY.md),
    # a channel named beside it still is
    ("Podría indicarnos número de NIC, teléfono de contacto y Pto. de Ref. para gestionar su caso.", None),
    ("Estimado, podría indicarnos el sector y número telefónico por favor.", None),
    ("Send us a DM with your full name, phone number and address.", "dm"),
    ("Please share your phone number and we'll call you back.", "phone"),
    # a call to a named line, a line reached "al" / "a los números", a call centre
    ("Tendrías que llamar a Serviberia para ver las opciones.", "phone"),
    ("Te pedimos comunicarte a los números que te compartimos.", "phone"),
    ("¿Ya te comunicaste a los números que te compartimos?", None),
    ("Kindly contact our Korea call center for assistance in Korean.", "phone"),
    # following opens the direct messages, in English too; a run of spaces inside a phrase
    ("Following. How may I be of assistance?", "dm"),
    ("We're following you now, send over the confirmation number.", "dm"),
    ("Please Direct  Message your confirmation #.", "dm"),
]


@pytest.mark.parametrize(("text", "expected"), DEFLECTION_CASES)
def test_deflection(text: str, expected: str | None) -> None:
    assert lexicon_one(text)["deflection"] == expected


def test_deflection_takes_the_first_channel_in_order() -> None:
    # dm before phone before email before web
    assert lexicon_one("Mándanos un MD o llámanos al 1004")["deflection"] == "dm"
    assert (
        lexicon_one("Call us on 0800 123 4567 or email us at help@brand.com")["deflection"]
        == "phone"
    )
    assert (
        lexicon_one("Email us at help@brand.com or see https://brand.com/help")["deflection"]
        == "email"
    )


# --------------------------------------------------------------------------- sign-offs and canned text

SIGNOFF_CASES = [
    ("Lo revisamos ahora mismo ^JK", "JK"),
    ("Lo revisamos ahora mismo ^ JK", "JK"),
    ("Sorry for the wait, we're on it -Becky", "Becky"),
    ("Sorry for the wait, we're on it - Becky", "Becky"),
    ("Thanks for your patience *AB", "AB"),
    ("Un saludo ~Ana", "Ana"),
    ("Un saludo, -Álvaro", "Álvaro"),
    ("Check the status here ^MR https://t.co/xyz", "MR"),
    ("Sin firma al final", None),
    ("Tengo el modelo X-Pro", None),
    ("Precio 2^10", None),
    # trailing emoji, and a full stop after ^ or *
    ("Te esperamos -Becky 🙂", "Becky"),
    ("Lo revisamos ^JK.", "JK"),
    ("Thanks for your patience *AB 🙏", "AB"),
    # a dash before a final word of thanks is not a sign-off
    ("Great job - Thanks!", None),
    # Spotify's agents sign with a slash (real twcs replies), never the end of a link
    ("Try reinstalling, follow the steps at https://t.co/oXb2bY1C7Q /NQ", "NQ"),
    ("Let us know how it goes! /RC", "RC"),
    ("Follow the steps at https://t.co/AB", None),
    ("It works 24/7", None),
    ("We ship to the US / UK", None),
    ("Yes / NO", None),
    # real Citibanamex replies (QA: 47 of them under no agent), and Bancolombia's
    ("Te contactamos por mensaje directo.\n\nSaludos. CT", "CT"),
    ("Quedamos a tus órdenes. GS", "GS"),
    ("We will revert back to you. Thank you. SO", "SO"),
    ("¿A qué número te comunicas?-. IS", "IS"),
    ("Quedamos atentos por este medio. -AL (3)", "AL"),
    ("Ya está resuelto. Te saluda Andrés.", "Andrés"),
    # initials need a sentence before them; a lone acronym is no agent
    ("Consulta el estado en la app BBVA", None),
    ("Saldo disponible en tu cuenta CLABE", None),
]


@pytest.mark.parametrize(("text", "expected"), SIGNOFF_CASES)
def test_signoff(text: str, expected: str | None) -> None:
    assert classify_one(text)["signoff"] == expected


def test_canned_text_ignores_handles_numbers_urls_and_signoffs() -> None:
    replies = [
        "@juan_perez Hola Juan, lamentamos las molestias. Envíanos un MD con tu nº de pedido 12345 ^JK",
        "@MariaG hola María, lamentamos las molestias!! Envíanos un MD con tu Nº de pedido 98765 -Becky",
        "@pepe99  Hola Juan, lamentamos las molestias. Envianos un MD con tu nº de pedido https://t.co/x1 *AB",
    ]
    canned = classify_messages(pl.DataFrame({"text": replies, "lang": ["es"] * 3}))["canned_text"]
    assert canned[0] == "hola juan lamentamos las molestias envianos un md con tu no de pedido"
    assert canned[2] == canned[0]
    # names in the text are kept: only handles, numbers, URLs and sign-offs go
    assert canned[1] == "hola maria lamentamos las molestias envianos un md con tu no de pedido"


def test_canned_text_of_empty_text_is_null() -> None:
    frame = pl.DataFrame({"text": ["@brand https://t.co/x 123", None, "¡¡OK!!"]})
    assert frame.select(normalise_for_canned(pl.col("text")))["text"].to_list() == [
        None,
        None,
        "ok",
    ]


def test_fold() -> None:
    frame = pl.DataFrame({"text": ["ÁÉÍÓÚ Ñandú Çà ü", "don’t ❤️", "Cafe\u0301"]})
    assert frame.select(fold(pl.col("text")))["text"].to_list() == [
        "aeiou nandu ca u",
        "don't ❤",
        "cafe",
    ]


# --------------------------------------------------------------------------- the frame contract


def test_output_is_input_plus_classification_columns() -> None:
    frame = pl.DataFrame(
        {"message_id": ["x:1", "x:2"], "text": ["hola", None], "lang": [None, "es"]},
        schema={"message_id": pl.String, "text": pl.String, "lang": pl.String},
    )
    out = classify_messages(frame)
    assert out.columns == [*frame.columns, *CLASSIFICATION_COLUMNS]
    assert out.schema == {**frame.schema, **{n: t for n, (t, _) in CLASSIFICATION_COLUMNS.items()}}
    # every input column comes back unchanged, except that a NULL lang is filled when detected
    assert out.select("message_id", "text").equals(frame.select("message_id", "text"))
    assert out["lang"].to_list() == ["es", "es"]
    # classifying twice gives the same columns, not duplicates
    assert classify_messages(out).equals(out)


LANGUAGE_CASES = [
    ("Llevo tres días sin internet", "es"),
    ("¿Cuándo llega?", "es"),
    ("still waiting for my refund", "en"),
    ("@brand https://t.co/x 👍", None),  # no cue: left NULL
]


@pytest.mark.parametrize(("text", "expected"), LANGUAGE_CASES)
def test_a_missing_lang_is_detected(text: str, expected: str | None) -> None:
    assert classify_one(text)["lang"] == expected


def test_a_given_lang_is_kept() -> None:
    assert classify_one("Llevo tres días sin internet", lang="en")["lang"] == "en"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("en-US", "en"),  # Bluesky's langs are BCP 47 tags: the language is the primary subtag
        ("pt_BR", "pt"),
        ("ES", "es"),
        ("in", "id"),  # retired ISO codes X still writes (Indonesian, Hebrew)
        ("iw", "he"),
        ("fil", "fil"),  # languages ISO 639-1 has no code for keep their three letters
        ("ckb", "ckb"),
        ("yue-HK", "yue"),
        ("es-419", "es"),
        ("zh-Hant", "zh"),
        # X's own codes for a tweet without a language (media only, hashtags only, undetermined,
        # no linguistic content, emoji only): not a language, so the text's is detected
        ("qme", "es"),
        ("qht", "es"),
        ("qst", "es"),
        ("und", "es"),
        ("zxx", "es"),
        ("art", "es"),
        ("mul", "es"),
        ("english", "es"),  # no code at all
    ],
)
def test_a_given_lang_is_read_as_its_iso_639_code(given: str, expected: str) -> None:
    assert classify_one("Llevo tres días sin internet", lang=given)["lang"] == expected


def test_without_a_lang_column_none_is_added() -> None:
    out = classify_messages(pl.DataFrame({"text": ["hola"]}))
    assert out.columns == ["text", *CLASSIFICATION_COLUMNS]


def test_empty_frame() -> None:
    out = classify_messages(pl.DataFrame(schema={"text": pl.String, "lang": pl.String}))
    assert out.height == 0 and out.columns == ["text", "lang", *CLASSIFICATION_COLUMNS]


def test_learned_columns_are_probabilities() -> None:
    texts = ["Pésimo servicio, llevo tres días sin internet", "Thanks, it works now!", "", None,
             "Please send us a DM with your booking reference"]
    out = classify_messages(pl.DataFrame({"text": texts}, schema={"text": pl.String}))
    assert out["sentiment"].is_in(["positive", "neutral", "negative"]).all()
    assert out["intent"].is_in(["complaint", "question", "praise", "other"]).all()
    assert out["deflection"].drop_nulls().is_in(["dm", "phone", "email", "web", "store"]).all()
    assert out["sentiment_score"].is_between(-1, 1).all()
    # the chosen intent is the most probable of four: at least 1/4
    assert out["intent_confidence"].is_between(0.25, 1).all()
    # a NULL text reads as an empty one
    assert out.row(2, named=True) | {"text": None, "canned_text": None} == out.row(3, named=True) | {"text": None}


def test_clauses_of_a_text_naming_several_brands() -> None:
    text = "Muy contento con @BancoUno, me lo arreglaron. Pero con Tienda Dos fatal: nunca contestan"
    clauses = classify_one(text)["clauses"]
    assert [c["text"] for c in clauses] == [
        "muy contento con @bancouno, me lo arreglaron",
        "con tienda dos fatal: nunca contestan",
    ]
    assert all(c["sentiment"] in ("positive", "neutral", "negative") and -1 <= c["sentiment_score"] <= 1 for c in clauses)
    # one clause, or a single name: no clauses
    assert classify_one("@BancoUno no me funciona la app")["clauses"] is None
    assert classify_one("Me encanta. Pero tarda mucho")["clauses"] is None


@pytest.mark.parametrize(("text", "lang"), [
    # a real tweet without a language (twarc-csv's test data, MIT): it was published as Spanish
    ("Pare che Borghi e Zaia stiano parlando con Salvini. Se dovessero dire di sì al governo è certo che", "it"),
    ("Grazie mille per l'aiuto, tutto risolto", "it"),
    ("Não consigo acessar minha conta, o que está acontecendo? Preciso de ajuda urgente", "pt"),
    ("Obrigado pelo atendimento, muito rápido!", "pt"),
    ("Je suis très déçu, c'est la troisième fois que ma commande n'arrive pas", "fr"),
    ("Ich habe seit drei Tagen kein Internet und niemand hilft mir, bitte um Rückruf", "de"),
    ("Hola, llevo tres días sin internet y nadie me ayuda", "es"),
    ("Hi, I have been without internet for three days and nobody helps me", "en"),
    ("@united tried other flight options as per weblink, non available for next 2 days", "en"),
    ("👍", None),
])
def test_the_language_of_a_text_without_one(text: str, lang: str | None) -> None:
    assert classify_one(text)["lang"] == lang
