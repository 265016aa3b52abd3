"""The sample's texts: written the way customers write, with moods that follow the planted labels,
and brand stems only where a brand is named (replicas rename them; see pipelines.sample.replicate)."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from pipelines.sample import _generate, generate_sample
from pipelines.sample import texts_brand as TB
from pipelines.sample import texts_customer as TC
from pipelines.sample.brands import BRANDS, FORMATS, STEMS

NEGATIVE_EMOJI = re.compile("[😡😤🙄😠👎🤬😩😒]")
POSITIVE_EMOJI = re.compile("[❤🙌😍👏🥰😊💪]")


@pytest.fixture(scope="module")
def openings(tmp_path_factory) -> list[tuple[str, str, str]]:
    """(planted intent, language, text) of every X opening of a small sample."""
    out = tmp_path_factory.mktemp("texts")
    generate_sample(out, brands=6, days=20, seed=3, messages=3000)
    tweets = {}
    for path in sorted((out / "x").glob("*.json")):
        for t in json.loads(path.read_text(encoding="utf-8"))["data"]:
            if "id" in t:
                tweets["x:" + t["id"]] = t
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    return [(c["intent"], tweets[c["opened_message_id"]]["lang"], tweets[c["opened_message_id"]]["text"])
            for c in truth["cases"] if c["opened_message_id"] in tweets]


def test_customers_write_like_customers(openings) -> None:
    texts = [t for _, _, t in openings]
    spanish = [t for _, lang, t in openings if lang == "es"]
    share = {
        "all lower case": sum(t == t.lower() and re.search("[a-z]", t) is not None for t in texts),
        "Spanish without accents or ¿": sum(not re.search("[áéíóú¿¡]", t) for t in spanish),
        "emoji": sum(bool(NEGATIVE_EMOJI.search(t) or POSITIVE_EMOJI.search(t)) for t in texts),
        "screenshot link": sum("https://t.co/" in t for t in texts),
        "hashtag": sum(bool(re.search(r"(?<!\S)#\w", t)) for t in texts),
        "cc": sum(" cc @" in t for t in texts),
        "!! or ...": sum(bool(re.search(r"!!|\.\.\.", t)) for t in texts),
        "shouting": sum(bool(re.search(r"\b[A-ZÁÉÍÓÚÑ]{4,} [A-ZÁÉÍÓÚÑ]{4,}\b", t)) for t in texts),
    }
    assert len(texts) > 1000
    assert all(n >= 5 for n in share.values()), share
    assert share["all lower case"] > len(texts) / 4 and share["emoji"] > len(texts) / 10, share


def test_moods_follow_the_planted_intent(openings) -> None:
    """Angry emoji only on complaints, warm ones only on praise, none on questions or remarks."""
    for intent, _, text in openings:
        if NEGATIVE_EMOJI.search(text):
            assert intent == "complaint", text
        if POSITIVE_EMOJI.search(text):
            assert intent == "praise", text
        if intent in ("complaint", "praise", "other"):
            assert "?" not in text, text


def test_brand_stems_name_a_brand_only() -> None:
    """Every name of a brand contains its stem; no customer text, name or brand template names one."""
    stems = re.compile("|".join(STEMS.values()), re.IGNORECASE)
    for spec in BRANDS:
        formats = FORMATS.get(spec["id"], {})
        names = [spec["id"], spec["name"], *spec["aliases"], *spec["x"], spec["blog"] or spec["name"],
                 formats.get("twcs", spec["name"]), formats.get("bluesky", spec["name"]),
                 formats.get("disqus", spec["name"]), formats.get("facebook", ("", spec["name"]))[1]]
        assert all(STEMS[spec["id"]] in n.lower() for n in names), spec["id"]
    pools = json.dumps([TC.CUSTOMER, TC.TWO_BRANDS, TC.FOLLOW_UP, TC.STORM, TC.NUDGE, TC.FIRST_NAMES, TC.LAST_NAMES,
                        TB.IN_CHANNEL, TB.DEFLECTION, TB.ANNOUNCEMENT, TB.P_GREET, TB.P_ACK, TB.P_ACT, TB.P_DEFLECT,
                        TB.P_CLOSE, TB.CANNED_REF], ensure_ascii=False)
    assert not stems.search(pools)


def test_replica_registry_loads(tmp_path: Path) -> None:
    """A replicated sample's brands.yaml loads with the pipeline's registry reader: unique ids and
    accounts, the replicas' calendars the source brand's."""
    from pipelines.brands import load_registry

    _generate(tmp_path, 3, 5, 1, 900, date(2026, 11, 1), 300)
    loaded = load_registry(tmp_path / "brands.yaml")
    assert [b.id for b in loaded] == ["telvia", "aerosol", "banco_pinar", "t001ia", "a001sol", "banco_p001r",
                                      "t002ia", "a002sol", "banco_p002r"]
    raw = yaml.safe_load((tmp_path / "brands.yaml").read_text(encoding="utf-8"))["brands"]
    assert raw[3]["accounts"]["x"] == ["t001ia", "t001ia_ayuda", "T001iaSupport"]
    assert raw[5]["business_hours"] == raw[2]["business_hours"] and raw[5]["aliases"] == ["Banco P001r", "BancoP001r"]
