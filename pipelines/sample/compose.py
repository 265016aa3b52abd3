"""Text composition: customer messages from templates, brand replies (canned, personal, emoji)."""

from __future__ import annotations

from datetime import datetime

from pipelines.sample import texts_brand as TB
from pipelines.sample import texts_customer as TC
from pipelines.sample.brand_calendar import Brand
from pipelines.sample.similarity import PERSONAL_MAX_SIMILARITY, _jaccard, _SimIndex, _words
from pipelines.sample.voice import voiced
from pipelines.sample.world import World


def customer_text(w: World, lang: str, sector: str, intent: str) -> str:
    pool = TC.CUSTOMER[lang][sector].get(intent, []) + TC.CUSTOMER[lang]["*"].get(intent, [])
    return voiced(w.rng, w.rng.choice(pool), lang, intent)


def brand_ref(w: World, brand: Brand) -> str:
    r = w.rng.random()
    if r < 0.5:
        return "@" + brand.x[0]
    if r < 0.7:
        return "@" + brand.x[-1]
    return w.rng.choice(brand.aliases)


def signoff(w: World, brand: Brand) -> str:
    """An agent sign-off in the brand's style, with the spacing variants people type."""
    if not brand.signoff:
        return ""
    rng = w.rng
    mark = brand.signoff
    r = rng.random()
    if mark == "-" and r < 0.1:
        mark = "~"
    sep = " " if rng.random() < 0.2 else ""
    return f" {mark}{sep}{rng.choice(brand.agents)}"


def _template_sets(w: World, brand: Brand, lang: str) -> list[frozenset]:
    key = (brand.id, lang)
    if key not in w.templates:
        texts = [t for pool in TB.IN_CHANNEL[lang].values() for t in pool]
        texts += [
            t.format(phone=brand.phone, email="x@y.example", url="https://y.example/z")
            for pool in TB.DEFLECTION[lang].values()
            for t in pool
        ]
        texts += [t.format(ref="1") for t in TB.CANNED_REF[lang]]
        w.templates[key] = [_words(t) for t in texts]
    return w.templates[key]


def reply_body(
    w: World, brand: Brand, cust_first: str, lang: str, category: str, deflect: str | None, when: datetime
) -> str:
    """A brand reply: a bare template (canned: reused many times a month), an emoji, or a
    personal reply composed from slots and kept only if it is no near-duplicate of any other
    reply of the brand in the same local month (so it is never canned by accident)."""
    rng = w.rng
    contacts = {
        "phone": brand.phone,
        "email": ("soporte@" if lang == "es" else "help@") + brand.domain,
        "url": f"https://{brand.domain}/" + ("ayuda" if lang == "es" else "support"),
    }
    if not deflect and category in ("praise", "other") and rng.random() < 0.08:
        return rng.choice(TB.EMOJI_REPLY) + signoff(w, brand)
    if rng.random() < brand.canned_share:
        if deflect:
            body = rng.choice(TB.DEFLECTION[lang][deflect]).format(**contacts)
        else:
            pool = list(TB.IN_CHANNEL[lang][category])
            if category in ("complaint", "still"):
                pool += TB.CANNED_REF[lang]
            body = rng.choice(pool).format(ref=rng.randrange(10_000, 999_999))
        return body + signoff(w, brand)
    key = (brand.id, brand.period(when))
    seen = w.personal.setdefault(key, _SimIndex(7, 10))
    templates = _template_sets(w, brand, lang)
    middle = TB.P_DEFLECT[lang][deflect] if deflect else TB.P_ACT[lang][category]
    for _ in range(60):
        body = " ".join(
            [
                rng.choice(TB.P_GREET[lang]).format(first=cust_first),
                rng.choice(TB.P_ACK[lang][category]),
                rng.choice(middle).format(**contacts),
                rng.choice(TB.P_CLOSE[lang]),
            ]
        )
        words = _words(body)
        if all(_jaccard(words, o) < PERSONAL_MAX_SIMILARITY for o in templates) and not seen.similar(words):
            break
    else:
        w.personal_fallbacks += 1
    seen.add(words)
    return body + signoff(w, brand)
