"""int_canned_replies (prefix + length filtering) equals the plain pairwise definition.

The model is built by real dbt (``dbt build --select int_canned_replies``: its dbt unit tests,
the model, its data tests) in a warehouse whose two inputs, ``int_case_brand_replies`` and
``stg_brands``, are tables written by the test. Its output is compared with an oracle written
here in plain Python: every pair of replies of a brand and local month compared with exact
fractions, no filtering. The fixtures hold pairs exactly at, just above and just below the
threshold (and at the length filter's edge), whose shared words are frequent elsewhere in the
month (so the rarity order puts them last); then a random set of template-like replies.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from pipelines.project import DBT_PROJECT_DIR, dbt_executable

pytestmark = pytest.mark.e2e  # real dbt builds

BRANDS = {"tel": "Europe/Madrid", "nyb": "America/New_York", "kes": "Asia/Tokyo"}


def oracle(replies: list[tuple[str, str, datetime, str | None]], similarity: float, min_replies: int) -> dict:
    """reply_id -> (similar_replies, is_canned), from the definition: all pairs, exact fractions."""
    threshold = Fraction(str(similarity))
    distinct = {(rid, brand, _month(brand, at), text) for rid, brand, at, text in replies}
    groups: dict[tuple, list[frozenset]] = {}
    for _, brand, month, text in distinct:
        if text:
            groups.setdefault((brand, month), []).append(frozenset(text.split(" ")))
    result = {}
    for rid, brand, month, text in distinct:
        similar = 0
        if text:
            words = frozenset(text.split(" "))
            similar = sum(Fraction(len(words & other), len(words | other)) >= threshold
                          for other in groups[(brand, month)])
        result[rid] = (similar, similar >= min_replies)
    return result


def _month(brand: str, at: datetime):
    return at.astimezone(ZoneInfo(BRANDS[brand])).date().replace(day=1)


def build_model(tmp_path: Path, replies: list[tuple], similarity: float, min_replies: int) -> dict:
    """Write the inputs, ``dbt build`` the model with the given vars, return its rows by reply_id."""
    home = tmp_path / "home"
    (home / "warehouse").mkdir(parents=True)
    with duckdb.connect(str(home / "warehouse" / "brandcare.duckdb")) as con:
        con.execute("create table stg_brands (brand_id varchar, timezone varchar)")
        con.executemany("insert into stg_brands values (?, ?)", list(BRANDS.items()))
        con.execute("create table int_case_brand_replies "
                    "(reply_id varchar, brand_id varchar, created_at timestamptz, canned_text varchar)")
        con.executemany("insert into int_case_brand_replies values (?, ?, ?, ?)", replies)
    variables = {"canned_similarity": similarity, "canned_min_replies": min_replies}
    proc = subprocess.run(
        [dbt_executable(), "build", "--select", "int_canned_replies", "--vars", json.dumps(variables),
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        env={**os.environ, "BRANDCARE_HOME": str(home)}, cwd=DBT_PROJECT_DIR, capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
    with duckdb.connect(str(home / "warehouse" / "brandcare.duckdb"), read_only=True) as con:
        rows = con.execute("select reply_id, similar_replies, is_canned from int_canned_replies").fetchall()
    assert len(rows) == len({r[0] for r in rows})
    return {rid: (similar, canned) for rid, similar, canned in rows}


def _words(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


def threshold_fixture() -> list[tuple]:
    """Reply pairs whose Jaccard is exactly, just above or just below 0.8, each pair in its own
    brand-month, sharing words that twenty other texts of the month also hold."""
    replies = []
    start = datetime(2026, 3, 10, 12, tzinfo=UTC)
    common = _words("comun", 14)
    # (shared words, words only in the first, words only in the second): Jaccard = s / (s + a + b)
    pairs = {
        "exact_4_5": (4, 1, 0), "exact_8_10": (8, 1, 1), "exact_12_15": (12, 2, 1),
        "length_edge_8_of_10": (8, 2, 0),  # |B| = 0.8 |A| exactly
        "above_9_11": (9, 1, 1), "above_5_6": (5, 1, 0), "above_17_21": (17, 2, 2), "above_81_101": (81, 10, 10),
        "below_3_4": (3, 1, 0), "below_7_9": (7, 1, 1), "below_11_14": (11, 2, 1), "below_79_99": (79, 10, 10),
        "below_length_7_of_10": (7, 3, 0),
    }
    for month_index, (name, (shared, only_a, only_b)) in enumerate(pairs.items()):
        at = start + timedelta(days=31 * month_index)
        shared_words = common[:shared] if shared <= len(common) else common + _words("mas", shared - len(common))
        a = " ".join(shared_words + _words(f"{name}_a", only_a))
        b = " ".join(_words(f"{name}_b", only_b) + list(reversed(shared_words)))
        replies += [(f"{name}-a{i}", "tel", at + timedelta(minutes=i), a) for i in range(2)]
        replies.append((f"{name}-b", "tel", at + timedelta(minutes=5), b))
        # other texts of the month hold the shared words, so they rank last by rarity
        for k in range(20):
            rng = random.Random(f"{name}{k}")
            noise = rng.sample(shared_words, max(1, len(shared_words) // 2)) + [f"ruido{k}", f"otro{k}"]
            replies.append((f"{name}-noise{k}", "tel", at + timedelta(hours=k + 1), " ".join(noise)))
    return replies


def random_fixture(seed: int = 20261202, count: int = 700) -> list[tuple]:
    """Template-like replies: a few templates of a Zipf-weighted vocabulary, each reused with
    words dropped, swapped or added; three brands in three time zones, over a month boundary;
    NULL and empty texts; a reply listed twice."""
    rng = random.Random(seed)
    vocabulary = _words("w", 60)
    weights = [1 / (i + 1) for i in range(len(vocabulary))]
    templates = [rng.choices(vocabulary, weights, k=rng.randint(1, 14)) for _ in range(25)]
    base = datetime(2026, 1, 30, 20, tzinfo=UTC)
    replies = []
    for i in range(count):
        words = list(rng.choice(templates))
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            edit = rng.random()
            if edit < 0.4 and len(words) > 1:
                words.pop(rng.randrange(len(words)))
            elif edit < 0.7:
                words.insert(rng.randrange(len(words) + 1), rng.choices(vocabulary, weights)[0])
            else:
                words[rng.randrange(len(words))] = f"nombre{rng.randrange(40)}"
        text = None if i % 97 == 0 else "" if i % 89 == 0 else " ".join(words)
        at = base + timedelta(minutes=rng.randrange(4 * 24 * 60))  # Jan 30 .. Feb 3: local months differ
        replies.append((f"r{i}", rng.choice(list(BRANDS)), at, text))
    replies.append(replies[5])
    return replies


@pytest.mark.parametrize(("similarity", "min_replies"), [(0.8, 3), (0.6, 2)])
def test_equals_pairwise_definition(tmp_path: Path, similarity: float, min_replies: int) -> None:
    replies = threshold_fixture() + random_fixture()
    expected = oracle(replies, similarity, min_replies)
    assert build_model(tmp_path, replies, similarity, min_replies) == expected
    # the fixtures do probe the threshold: at 0.8, pairs at and above it are canned, below it not
    if similarity == 0.8:
        canned = {rid.split("-")[0] for rid, (_, is_canned) in expected.items() if "-b" in rid and is_canned}
        assert canned == {"exact_4_5", "exact_8_10", "exact_12_15", "length_edge_8_of_10",
                          "above_9_11", "above_5_6", "above_17_21", "above_81_101"}
        assert sum(is_canned for _, is_canned in expected.values()) > 100
