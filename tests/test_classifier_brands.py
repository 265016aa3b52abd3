"""Per-brand opening sentiment and cross-platform @handles, through one real pipeline run.

tests/fixtures/wxr/brand_comments/: two blog comments (WXR) built on the fragments issue 7
quotes from real comments, and a registry of the three brands they name (README.md there).
One ingest + Dagster run (real dbt build and publish) over them; the published analyst
database is read back.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from support import FIXTURES, PipelineRun, run_brandcare

COMMENTS = FIXTURES / "wxr" / "brand_comments"
#: the two comments' ids: the blog's (its channel link without scheme) and WordPress's comment ids
C71, C72 = "blog:blog.marketing.example:c71", "blog:blog.marketing.example:c72"

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> PipelineRun:
    home: Path = tmp_path_factory.mktemp("brand_comments")
    finished = run_brandcare(home, [COMMENTS / "blog_comments.xml"], COMMENTS / "brands.yaml")
    assert finished.result.success, "the pipeline run over the blog comments failed"
    return finished


def cases(run: PipelineRun) -> dict[tuple[str, str], dict]:
    found = run.query(
        "select opened_message_id, brand_id, opening_sentiment, opening_sentiment_score,"
        " intent, intent_confidence from care_cases"
    )
    return {(c["opened_message_id"], c["brand_id"]): c for c in found}


def opened(run: PipelineRun) -> dict[tuple[str, str], dict]:
    """int_cases_opened of the run's working warehouse: each case's brand clause sentiment."""
    with duckdb.connect(str(run.home / "warehouse" / "brandcare.duckdb"), read_only=True) as con:
        cursor = con.execute(
            "select opened_message_id, brand_id, brand_sentiment, brand_sentiment_score from int_cases_opened"
        )
        names = [d[0] for d in cursor.description]
        return {(r[0], r[1]): dict(zip(names, r, strict=True)) for r in cursor.fetchall()}


def test_an_x_handle_written_in_a_blog_comment_addresses_the_brand(run: PipelineRun) -> None:
    found = cases(run)
    assert (C71, "decathlon") in found
    message = run.query("select addressed_brand_ids from messages where message_id = $id", {"id": C71})
    assert message == [{"addressed_brand_ids": ["decathlon"]}]


def test_each_brand_gets_the_sentiment_of_its_own_clauses(run: PipelineRun) -> None:
    found = cases(run)
    sabadell, cortefiel = found[(C72, "sabadell")], found[(C72, "cortefiel")]
    assert (sabadell["opening_sentiment"], cortefiel["opening_sentiment"]) == ("positive", "negative")
    assert sabadell["opening_sentiment_score"] > 0 > cortefiel["opening_sentiment_score"]


def test_each_brands_net_sentiment_reads_its_own_clauses(run: PipelineRun) -> None:
    """QA: Sabadell's case opened positive, its net sentiment read the whole message: -1."""
    rows = run.query("select brand_id, net_sentiment from brand_scorecards where period = 'month' "
                     "and platform = 'all' and brand_id in ('sabadell', 'cortefiel')")
    assert {r["brand_id"]: r["net_sentiment"] for r in rows} == {"sabadell": 1.0, "cortefiel": -1.0}


def test_each_brand_is_read_from_its_own_clauses(run: PipelineRun) -> None:
    by_brand = opened(run)
    sabadell, cortefiel = by_brand[(C72, "sabadell")], by_brand[(C72, "cortefiel")]
    # the two brands of one message get different clauses, the praised one the higher score
    assert sabadell["brand_sentiment_score"] > cortefiel["brand_sentiment_score"]
    assert cortefiel["brand_sentiment"] == "negative"
    # a message addressing one brand has no clause sentiment: its whole sentiment counts
    assert by_brand[(C71, "decathlon")]["brand_sentiment"] is None
    found = cases(run)
    # the published cases carry each brand's clause sentiment
    for brand in ("sabadell", "cortefiel"):
        case, clause = found[(C72, brand)], by_brand[(C72, brand)]
        assert (case["opening_sentiment"], case["opening_sentiment_score"]) == (
            clause["brand_sentiment"], pytest.approx(clause["brand_sentiment_score"])
        )
    # the message as a whole keeps one sentiment; only the cases differ
    whole = run.query("select sentiment, sentiment_score from messages where message_id = $id", {"id": C72})
    assert len(whole) == 1 and -1 <= whole[0]["sentiment_score"] <= 1
    assert 0 < found[(C72, "sabadell")]["intent_confidence"] <= 1
    assert set(found) == {(C71, "decathlon"), (C72, "sabadell"), (C72, "cortefiel")}
