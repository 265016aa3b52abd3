"""How people type: a customer's text made to read like a real post.

The templates of ``texts_customer`` say what a customer means; :func:`voiced` writes it the way
people write to brands in public: all lower case, Spanish without accents or opening ``¿``/``¡``,
chat abbreviations (``q``, ``xq``, ``porfa``, ``tb``; ``pls``, ``u``, ``im``, ``dont``), a
screenshot link, a hashtag or a ``cc`` to a consumer account, emoji and ``!!``/``??``/``...``.
Every change keeps the meaning: emoji follow the message's mood (angry faces on complaints and
"still" follow-ups, hearts on praise and thanks, none on questions and neutral remarks), and no
word that carries the complaint, the question or the thanks is altered.
"""

from __future__ import annotations

import random
import re

from pipelines.sample.model import _fold

#: emoji by mood (complaint and "still" share the angry ones; praise and thanks the warm ones)
EMOJI = {
    "negative": ["😡", "😤", "🙄", "😠", "👎", "🤬", "😩", "😒"],
    "positive": ["❤️", "🙌", "😍", "👏", "🥰", "😊", "💪"],
}
MOODS = {"complaint": "negative", "still": "negative", "praise": "positive", "thanks": "positive"}
#: what people write in place of a word (only words that carry no complaint, question or thanks)
SHORT = {
    "es": [
        (r"\bque\b", "q"),
        (r"\bporque\b", "xq"),
        (r"\bpor favor\b", "porfa"),
        (r"\btambién\b", "tb"),
        (r"\bpara\b", "pa"),
        (r"\bdías\b", "dias"),
        (r"\bmás\b", "mas"),
    ],
    "en": [
        (r"\bI am\b", "im"),
        (r"\bI'm\b", "im"),
        (r"\bplease\b", "pls"),
        (r"(?<!thank )\byou\b", "u"),
        (r"\bgoing to\b", "gonna"),
        (r"\bdon't\b", "dont"),
        (r"\btomorrow\b", "tmrw"),
        (r"\bbecause\b", "bc"),
    ],
}
HASHTAGS = {"es": ["#atencionalcliente", "#reclamacion", "#consumidores"], "en": ["#customerservice", "#fail", "#help"]}
CC = {"es": ["cc @consumidores_es", "cc @asoc_usuarios"], "en": ["cc @consumer_watch", "cc @bbb_help"]}
#: no i, l, o, z: a link never spells a brand stem
_LINK_CHARS = "abcdefghjkmnpqrstuvwxyABCDEFGHJKMNPQRSTUVWXY"


def _unaccent(text: str) -> str:
    """Spanish typed fast: no accents (ñ kept), no opening ¿ and ¡."""
    out = "".join(c if c in "ñÑ" else _fold(c) for c in text)
    return out.replace("¿", "").replace("¡", "")


def _link(rng: random.Random) -> str:
    return "https://t.co/" + "".join(rng.choice(_LINK_CHARS) for _ in range(10))


def voiced(rng: random.Random, text: str, lang: str, kind: str) -> str:
    """``text`` (a template, ``{b}`` slots kept) as a customer types it; ``kind`` is the planted
    intent of an opening (complaint, question, praise, other) or the kind of a follow-up
    (thanks, still, question, neutral)."""
    mood = MOODS.get(kind)
    r = rng.random()
    if lang == "es" and rng.random() < 0.45:
        text = _unaccent(text)
    for pattern, short in SHORT[lang]:
        if rng.random() < 0.3:
            text = re.sub(pattern, short, text)
    if r < 0.45:
        text = text.lower()
    elif r < 0.55 and text[:1].isupper():
        text = text[0].lower() + text[1:]
    elif r < 0.58 and mood == "negative":
        text = re.sub(r"(?<![{@\w])[^\W\d_]+", lambda m: m.group().upper(), text)  # ranting in capitals
    end = rng.random()
    if kind in ("complaint", "still") and end < 0.3:
        text = text.rstrip(".") + rng.choice(["!!", "!!!", "...", " ..."])
    elif kind == "question" and end < 0.2:
        text = text + "?"
    elif kind in ("praise", "thanks") and end < 0.35:
        text = text.rstrip(".") + rng.choice(["!", "!!"])
    if mood and rng.random() < (0.35 if mood == "negative" else 0.45):
        text += (" " if rng.random() < 0.8 else "") + rng.choice(EMOJI[mood]) * rng.choice([1, 1, 2, 3])
    if kind == "complaint":
        extra = rng.random()
        if extra < 0.1:
            text += " " + _link(rng)
        elif extra < 0.15:
            text += " " + rng.choice(HASHTAGS[lang])
        elif extra < 0.19:
            text += " " + rng.choice(CC[lang])
    return text
