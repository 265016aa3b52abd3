"""The published scorecards against what the sample generator planted (truth.json).

The truth is computed by the generator from what it wrote, never by the pipeline.
"""

from __future__ import annotations

import math
from datetime import datetime

import pytest

MONTHLY_FIELDS = (
    "mentions", "amplification", "cases", "actionable_cases", "responded_cases", "response_rate",
    "median_first_response_min", "deflection_rate", "off_hours_response_rate", "equity_index",
    "median_first_response_business_min", "sla_met_rate", "resolution_rate", "recovery_rate",
    "brand_replies", "canned_reply_share",
)


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


def test_every_planted_case_is_published_and_there_are_no_others(demo_run, published_cases):
    planted = {(c["brand_id"], c["opened_message_id"]) for c in demo_run.truth["cases"]}
    assert len(planted) == len(demo_run.truth["cases"])
    assert set(published_cases) - planted == set(), "cases the generator did not plant"
    assert planted - set(published_cases) == set(), "planted cases missing"


@pytest.mark.parametrize("field", ["responded", "first_response_at", "deflected", "off_hours", "intent",
                                   "conversation_id", "customer_id", "author_followers", "first_response_min",
                                   "first_response_business_min", "opening_sentiment", "resolved", "recovered",
                                   "platform"])
def test_each_case_field_matches_the_truth(demo_run, published_cases, field):
    wrong = []
    for case in demo_run.truth["cases"]:
        actual = published_cases[(case["brand_id"], case["opened_message_id"])]
        expected = case[field]
        if field == "first_response_at":
            expected = _utc(expected)
            got = actual[field].replace(microsecond=0) if actual[field] else None  # to the second
        else:
            got = actual[field]
        if not _same(expected, got):
            wrong.append((case["opened_message_id"], expected, got))
    assert not wrong, f"{len(wrong)} cases differ on {field}, e.g. {wrong[:5]}"


def test_opened_at_matches_the_truth(demo_run, published_cases):
    wrong = [c["opened_message_id"] for c in demo_run.truth["cases"]
             if published_cases[(c["brand_id"], c["opened_message_id"])]["opened_at"] != _utc(c["opened_at"])]
    assert not wrong


def test_monthly_scorecards_match_the_truth(demo_run):
    rows = demo_run.query("select * from brand_scorecards where period = 'month'")
    published = {(r["brand_id"], r["platform"], r["period_start"].isoformat()): r for r in rows}
    planted = demo_run.truth["scorecards_monthly"]
    wrong = []
    for expected in planted:
        key = (expected["brand_id"], expected["platform"], expected["period_start"])
        assert key in published, f"no scorecard row for {key}"
        for field in MONTHLY_FIELDS:
            if not _same(expected[field], published[key][field]):
                wrong.append((key, field, expected[field], published[key][field]))
    assert not wrong, f"{len(wrong)} differences, e.g. {wrong[:8]}"
    with_activity = {k for k, r in published.items() if r["cases"] or r["mentions"]}
    assert with_activity == {(e["brand_id"], e["platform"], e["period_start"]) for e in planted}


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
