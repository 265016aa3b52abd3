"""The brand_scorecards Great Expectations suite, run for real on frames fetched from DuckDB."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from data_checks import CheckResult, brand_scorecards_suite, validate_brand_scorecards
from data_checks.scorecards import REQUIRED_COLUMNS

# Two brands; `rank` etc. NULL where docs/metrics.md#rank says so (fewer than 20 actionable cases).
SCORECARDS_SQL = """
SELECT * FROM (VALUES
    ('telco', 'Telco', 'telecom', 'day', DATE '2026-11-02', 'x',
     5, 1, 4, 3, 2, 1, 2, 7, 0.6667, 0.2077, 0.9385, 12.5, 40.0, 30.0,
     1.0, 0.5, 0.5, NULL, 2400, 0.9, 0.5, 0.0, 0.2, 71.2, NULL, NULL, FALSE),
    ('telco', 'Telco', 'telecom', 'month', DATE '2026-11-01', 'all',
     40, 2, 30, 25, 25, 0, 31, 40, 1.0, 0.8668, 1.0, 8.0, 15.0, 8.0,
     1.0, 0.2, 0.6, 1.0, NULL, 1.0, 1.0, 0.1, 0.4, 92.0, 1, 1, TRUE),
    ('bank', 'Bank', 'finance', 'week', DATE '2026-10-26', 'bluesky',
     2, 0, 1, 0, 0, 0, 0, 3, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, -0.5, NULL, NULL, NULL, TRUE)
) AS t(brand_id, brand_name, sector, period, period_start, platform,
       mentions, amplification, cases, actionable_cases, responded_cases, ignored_cases,
       brand_replies, brand_posts, response_rate, response_rate_low, response_rate_high,
       median_first_response_min, p90_first_response_min, median_first_response_business_min,
       sla_met_rate, deflection_rate, resolution_rate, recovery_rate, ignored_reach,
       equity_index, off_hours_response_rate, canned_reply_share, net_sentiment,
       care_score, rank, sector_rank, is_final)
"""


@pytest.fixture(scope="module")
def good_frame() -> pd.DataFrame:
    with duckdb.connect() as con:
        # Counts as DuckDB sums give them (HUGEINT, float64 in pandas) must pass as well.
        return con.sql(
            f"SELECT * REPLACE (sum(mentions) OVER (PARTITION BY brand_id, period, period_start, "
            f"platform) AS mentions) FROM ({SCORECARDS_SQL})"
        ).df()


def failing(result: CheckResult, expectation: str) -> list[str]:
    return [line for line in result.failures if line.startswith(expectation)]


def test_suite_is_defined_as_code():
    suite = brand_scorecards_suite()
    types = {expectation.expectation_type for expectation in suite.expectations}
    assert {
        "expect_table_columns_to_match_set",
        "expect_compound_columns_to_be_unique",
        "expect_column_pair_values_a_to_be_greater_than_b",
    } <= types
    assert set(REQUIRED_COLUMNS) >= {"brand_id", "period_start", "care_score", "equity_index"}


def test_good_frame_passes(good_frame):
    assert good_frame["mentions"].dtype == "float64"
    result = validate_brand_scorecards(good_frame)
    assert result.passed, result.failures
    assert result.failures == []
    assert result.statistics["unsuccessful_expectations"] == 0
    assert result.statistics["evaluated_expectations"] > 20
    assert result.statistics["row_count"] == 3


def test_rate_above_one_fails_and_names_the_column(good_frame):
    frame = good_frame.copy()
    frame.loc[0, "response_rate"] = 1.5
    result = validate_brand_scorecards(frame)
    assert not result.passed
    between = failing(result, "expect_column_values_to_be_between(response_rate)")
    assert between == [
        "expect_column_values_to_be_between(response_rate): 1 unexpected, e.g. [1.5]"
    ]
    # 1.5 is also above its Wilson upper bound.
    pair = "expect_column_pair_values_a_to_be_greater_than_b(response_rate_high, response_rate)"
    assert failing(result, pair)


def test_duplicated_key_fails(good_frame):
    frame = pd.concat([good_frame, good_frame.iloc[[0]]], ignore_index=True)
    result = validate_brand_scorecards(frame)
    assert not result.passed
    (line,) = result.failures
    assert line.startswith(
        "expect_compound_columns_to_be_unique(brand_id, period, period_start, platform)"
    )
    assert "telco" in line


@pytest.mark.parametrize(
    ("column", "value", "expectation"),
    [
        ("platform", "myspace", "expect_column_values_to_be_in_set(platform)"),
        ("period", "year", "expect_column_values_to_be_in_set(period)"),
        ("cases", 2.5, "expect_column_values_to_match_regex(cases)"),
        ("care_score", 101.0, "expect_column_values_to_be_between(care_score)"),
        ("brand_id", None, "expect_column_values_to_not_be_null(brand_id)"),
        (
            "responded_cases",
            4,
            "expect_column_pair_values_a_to_be_greater_than_b(actionable_cases, responded_cases)",
        ),
    ],
)
def test_broken_values_fail(good_frame, column, value, expectation):
    frame = good_frame.copy()
    if frame[column].dtype.kind in "iu" and not float(value or 0).is_integer():
        frame[column] = frame[column].astype("float64")
    frame.loc[0, column] = value
    result = validate_brand_scorecards(frame)
    assert not result.passed
    assert failing(result, expectation), result.failures


def test_missing_column_fails(good_frame):
    result = validate_brand_scorecards(good_frame.drop(columns=["care_score"]))
    assert not result.passed
    columns = failing(result, "expect_table_columns_to_match_set")
    assert any("care_score" in line for line in columns)
