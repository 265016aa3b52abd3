"""The published cases and scorecards against the truth oracle (pipelines/sample/truth.py).

Two questions, kept apart:

1. Aggregation and metric definitions: the oracle, independent of the pipeline, rebuilds the
   planted world from truth.json's generator arguments and applies the metric definitions to
   the labels the pipeline's classifiers gave each message (intent, sentiment, thanks,
   deflection, and the per-brand sentiment of a message addressing several brands). Every
   per-case field and every monthly scorecard row must then match exactly, whatever the
   classifiers read in the texts.
2. Against what was planted (truth.json): the fields that depend on no classification match
   exactly; the classifiers' agreement with the planted labels is reported (``-s``) and held
   above floors a few points under the measured figures (the learned models are not trained on
   the sample and misread some of its invented texts).
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime

import duckdb
import pytest

from pipelines.sample.truth import Labels, compute_truth, planted_labels, planted_world

MONTHLY_FIELDS = (
    "mentions", "amplification", "cases", "actionable_cases", "responded_cases", "response_rate",
    "median_first_response_min", "deflection_rate", "off_hours_response_rate", "equity_index",
    "median_first_response_business_min", "sla_met_rate", "resolution_rate", "recovery_rate",
    "brand_replies", "canned_reply_share",
)
#: monthly fields that no classification changes (actionable cases need the intent)
MONTHLY_PLANTED_FIELDS = ("mentions", "amplification", "cases", "brand_replies", "canned_reply_share")

CASE_FIELDS = (
    "responded", "first_response_at", "deflected", "off_hours", "intent", "conversation_id", "customer_id",
    "author_followers", "first_response_min", "first_response_business_min", "opening_sentiment", "resolved",
    "recovered", "platform", "opened_at",
)
#: case fields that read a classification: compared with the planted truth through agreement only
CLASSIFIED_CASE_FIELDS = ("intent", "opening_sentiment", "deflected", "resolved", "recovered")

#: task -> agreement floor of the pipeline's labels with the planted ones on the demo sample,
#: about 3 points under the figure measured for model 7a4a8d7b64f9 (the weights of 4f86066133c1; in the comment; in brackets
#: model a266187fcf52; docs/classifiers.md)
AGREEMENT_FLOORS = {
    "intent": 0.88,  # 0.910 of 10740 customer messages (0.911)
    "sentiment": 0.89,  # 0.924 of 10740 customer messages (0.928)
    "thanks": 0.97,  # 0.999 of 2669 customer follow-ups (the lexicon rule)
    "deflection": 0.97,  # 1.000 of 5217 brand replies (channel, or none) (1.000)
}


def _utc(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def _same(expected, actual) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, float) or isinstance(actual, float):
        return math.isclose(expected, actual, rel_tol=1e-9, abs_tol=1e-9)
    return expected == actual


@pytest.fixture(scope="module")
def published_cases(demo_run) -> dict[tuple[str, str], dict]:
    rows = demo_run.query("select * from care_cases")
    return {(r["brand_id"], r["opened_message_id"]): r for r in rows}


@pytest.fixture(scope="module")
def published_scorecards(demo_run) -> dict[tuple[str, str, str], dict]:
    rows = demo_run.query("select * from brand_scorecards where period = 'month'")
    return {(r["brand_id"], r["platform"], r["period_start"].isoformat()): r for r in rows}


@pytest.fixture(scope="module")
def world(demo_run):
    """The planted world of the demo sample, rebuilt from truth.json's generator arguments."""
    return planted_world(demo_run.truth["generator"])


@pytest.fixture(scope="module")
def pipeline_labels(demo_run) -> Labels:
    """What the pipeline's classifiers read in each message, and nothing else of the pipeline:
    intent, sentiment and deflection from the analyst database's ``messages``; ``is_thanks``
    (not published) from the lake rows of the same message and text (classification is a
    function of the text); the sentiment of a message about each brand it addresses, when it
    addresses several, from the warehouse's int_messages_addressing_brands."""
    rows = demo_run.query("select message_id, text, is_brand, intent, sentiment, deflection from messages")
    published_texts = {r["message_id"]: r["text"] for r in rows}
    with duckdb.connect() as con:
        lake = con.execute(
            "select distinct message_id, text, is_thanks from read_parquet(?) where kind = 'post'",
            [str(demo_run.home / "lake" / "message_rows" / "*.parquet")],
        ).fetchall()
    thanks = {m: t for m, text, t in lake if m in published_texts and text == published_texts[m]}
    with duckdb.connect(str(demo_run.home / "warehouse" / "brandcare.duckdb"), read_only=True) as con:
        by_brand = con.execute(
            "select message_id, brand_id, brand_sentiment from int_messages_addressing_brands "
            "where brand_sentiment is not null"
        ).fetchall()
    customer = [r for r in rows if not r["is_brand"]]
    return Labels(
        intent={r["message_id"]: r["intent"] for r in customer},
        sentiment={r["message_id"]: r["sentiment"] for r in customer},
        thanks=thanks,
        deflection={r["message_id"]: r["deflection"] for r in rows if r["is_brand"]},
        brand_sentiment={(m, b): s for m, b, s in by_brand},
    )


@pytest.fixture(scope="module")
def relabelled(world, pipeline_labels) -> dict:
    """The truth of the demo sample under the pipeline's labels."""
    cases, rows, _ = compute_truth(world, pipeline_labels)
    return {"cases": cases, "scorecards_monthly": rows}


def _case_differences(truth_cases: list[dict], published: dict, field: str) -> list[tuple]:
    wrong = []
    for case in truth_cases:
        actual = published[(case["brand_id"], case["opened_message_id"])]
        expected, got = case[field], actual[field]
        if field in ("first_response_at", "opened_at"):
            expected = _utc(expected)
            got = got.replace(microsecond=0) if got else None  # to the second
        if not _same(expected, got):
            wrong.append((case["opened_message_id"], expected, got))
    return wrong


def _scorecard_differences(truth_rows: list[dict], published: dict, fields: tuple[str, ...]) -> list[tuple]:
    wrong = []
    for expected in truth_rows:
        key = (expected["brand_id"], expected["platform"], expected["period_start"])
        assert key in published, f"no scorecard row for {key}"
        wrong += [(key, f, expected[f], published[key][f]) for f in fields if not _same(expected[f], published[key][f])]
    return wrong


# ------------------------------------------------------------------ the oracle is about this sample


def test_the_rebuilt_world_is_the_planted_one(demo_run, world):
    """The planted labels on the rebuilt world give truth.json back, and every planted message
    is a published message (so the relabelled truth is about the sample the pipeline read)."""
    cases, rows, _ = compute_truth(world)
    assert cases == demo_run.truth["cases"]
    assert rows == demo_run.truth["scorecards_monthly"]
    planted = {m.mid for m in world.msgs.values() if m.kind == "post"}
    published = {r["message_id"] for r in demo_run.query("select message_id from messages")}
    assert planted == published


def test_every_planted_case_is_published_and_there_are_no_others(demo_run, published_cases):
    planted = {(c["brand_id"], c["opened_message_id"]) for c in demo_run.truth["cases"]}
    assert len(planted) == len(demo_run.truth["cases"])
    assert set(published_cases) - planted == set(), "cases the generator did not plant"
    assert planted - set(published_cases) == set(), "planted cases missing"


# ------------------------------------------------- 1. exact, under the pipeline's own labels


@pytest.mark.parametrize("field", CASE_FIELDS)
def test_each_case_field_matches_the_truth_under_the_pipeline_labels(relabelled, published_cases, field):
    assert len(relabelled["cases"]) == len(published_cases)
    wrong = _case_differences(relabelled["cases"], published_cases, field)
    assert not wrong, f"{len(wrong)} cases differ on {field}, e.g. {wrong[:5]}"


def test_monthly_scorecards_match_the_truth_under_the_pipeline_labels(relabelled, published_scorecards):
    wrong = _scorecard_differences(relabelled["scorecards_monthly"], published_scorecards, MONTHLY_FIELDS)
    assert not wrong, f"{len(wrong)} differences, e.g. {wrong[:8]}"
    with_activity = {k for k, r in published_scorecards.items() if r["cases"] or r["mentions"]}
    assert with_activity == {(e["brand_id"], e["platform"], e["period_start"]) for e in relabelled["scorecards_monthly"]}


# ------------------------------------------------------------ 2. against what was planted


@pytest.mark.parametrize("field", [f for f in CASE_FIELDS if f not in CLASSIFIED_CASE_FIELDS])
def test_each_case_field_that_reads_no_classification_matches_the_planted_truth(demo_run, published_cases, field):
    wrong = _case_differences(demo_run.truth["cases"], published_cases, field)
    assert not wrong, f"{len(wrong)} cases differ on {field}, e.g. {wrong[:5]}"


def test_monthly_counts_that_read_no_classification_match_the_planted_truth(demo_run, published_scorecards):
    planted = demo_run.truth["scorecards_monthly"]
    wrong = _scorecard_differences(planted, published_scorecards, MONTHLY_PLANTED_FIELDS)
    assert not wrong, f"{len(wrong)} differences, e.g. {wrong[:8]}"
    with_activity = {k for k, r in published_scorecards.items() if r["cases"] or r["mentions"]}
    assert with_activity == {(e["brand_id"], e["platform"], e["period_start"]) for e in planted}


def test_the_pipeline_labels_agree_with_the_planted_ones(demo_run, world, pipeline_labels, relabelled):
    """Agreement per task over the planted messages it applies to: intent and sentiment of
    every customer message, thanks of the customers' follow-ups (messages opening no case),
    deflection channel (or none) of every brand reply to a customer."""
    planted = planted_labels(world)
    posts = {m.mid: m for m in world.msgs.values() if m.kind == "post"}
    openings = {c["opened_message_id"] for c in demo_run.truth["cases"]}
    customer = [m for m, p in posts.items() if p.brand is None]
    replies = [m for m, p in posts.items() if p.brand is not None and p.parent and posts[p.parent].brand is None]
    tasks = {
        "intent": (customer, planted.intent, pipeline_labels.intent),
        "sentiment": (customer, planted.sentiment, pipeline_labels.sentiment),
        "thanks": ([m for m in customer if m not in openings], planted.thanks, pipeline_labels.thanks),
        "deflection": (replies, planted.deflection, pipeline_labels.deflection),
    }
    agreement = {}
    for task, (ids, want, got) in tasks.items():
        assert ids
        agreement[task] = sum((want[m] or "none") == (got[m] or "none") for m in ids) / len(ids)
        print(f"demo sample agreement, {task}: {agreement[task]:.3f} of {len(ids)} messages")
    # what the misreadings change in the cases (informative: the exact checks are above)
    by_case = {(c["brand_id"], c["opened_message_id"]): c for c in demo_run.truth["cases"]}
    changed = Counter(
        f for c in relabelled["cases"] for f in CLASSIFIED_CASE_FIELDS
        if c[f] != by_case[(c["brand_id"], c["opened_message_id"])][f]
    )
    print(f"cases whose field differs from the plant under the pipeline labels (of {len(by_case)}): {dict(changed)}")
    low = {t: round(a, 3) for t, a in agreement.items() if a < AGREEMENT_FLOORS[t]}
    assert not low, f"agreement under the floor: {low} (floors {AGREEMENT_FLOORS})"


def test_every_platform_is_covered(demo_run):
    platforms = {r["platform"] for r in demo_run.query("select distinct platform from brand_scorecards")}
    assert platforms == {"x", "bluesky", "facebook", "blog", "all"}


def test_planted_behaviour_is_visible_in_the_scores(demo_run):
    """Sanity of the sample itself: a brand that favours large accounts has an equity index well below 1."""
    rows = demo_run.query(
        "select equity_index from brand_scorecards where brand_id = 'lumena' and period = 'month' "
        "and platform = 'all' and equity_index is not null"
    )
    assert rows and all(r["equity_index"] < 0.6 for r in rows)
