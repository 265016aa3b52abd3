"""Great Expectations suite for ``brand_scorecards`` (columns: docs/metrics.md#per-brand-and-period-brand_scorecards).

Validates a pandas DataFrame the caller fetched (``con.sql("SELECT * FROM brand_scorecards").df()``)
with GX's pandas datasource in an ephemeral context: GX 1.x over DuckDB through SQLAlchemy fails
every expectation upstream, and a frame keeps this usable from notebooks, tests and Dagster alike.
GX is imported inside the functions because importing it takes seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import great_expectations as gx
    import pandas

SUITE_NAME = "brand_scorecards"

KEY_COLUMNS = ("brand_id", "period", "period_start", "platform")
PERIODS = ("day", "week", "month")
PLATFORMS = ("x", "bluesky", "facebook", "blog", "all")

RATE_COLUMNS = (
    "response_rate",
    "response_rate_low",
    "response_rate_high",
    "sla_met_rate",
    "deflection_rate",
    "resolution_rate",
    "recovery_rate",
    "off_hours_response_rate",
    "canned_reply_share",
)
COUNT_COLUMNS = (
    "mentions",
    "amplification",
    "cases",
    "actionable_cases",
    "responded_cases",
    "ignored_cases",
    "brand_replies",
    "brand_posts",
)
MINUTE_COLUMNS = (
    "median_first_response_min",
    "p90_first_response_min",
    "median_first_response_business_min",
)
REQUIRED_COLUMNS = (
    "brand_id",
    "brand_name",
    "sector",
    "period",
    "period_start",
    "platform",
    *COUNT_COLUMNS,
    "response_rate",
    "response_rate_low",
    "response_rate_high",
    *MINUTE_COLUMNS,
    "sla_met_rate",
    "deflection_rate",
    "resolution_rate",
    "recovery_rate",
    "ignored_reach",
    "equity_index",
    "off_hours_response_rate",
    "canned_reply_share",
    "net_sentiment",
    "care_score",
    "rank",
    "sector_rank",
    "is_final",
)

#: A whole number >= 0 as pandas prints it: 3 (integer dtypes) or 3.0 (DuckDB HUGEINT sums arrive
#: as float64).
_WHOLE_NUMBER = r"^\d+(?:\.0)?$"
_EXAMPLES = 5


@dataclass
class CheckResult:
    """Outcome of one suite: ``failures`` holds one readable line per failed expectation."""

    passed: bool
    failures: list[str] = field(default_factory=list)
    statistics: dict[str, Any] = field(default_factory=dict)


def brand_scorecards_suite() -> gx.ExpectationSuite:
    """The expectations every published ``brand_scorecards`` table must meet."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    expectations: list[gxe.Expectation] = [
        gxe.ExpectTableColumnsToMatchSet(
            column_set=list(REQUIRED_COLUMNS),
            exact_match=False,
            description="every published column exists (extra columns are allowed)",
        ),
        *(gxe.ExpectColumnValuesToNotBeNull(column=column) for column in KEY_COLUMNS),
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=list(KEY_COLUMNS),
            description="one row per brand, period, period_start and platform",
        ),
        gxe.ExpectColumnValuesToBeInSet(column="period", value_set=list(PERIODS)),
        gxe.ExpectColumnValuesToBeInSet(column="platform", value_set=list(PLATFORMS)),
        *(
            gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, max_value=1)
            for column in RATE_COLUMNS
        ),
        gxe.ExpectColumnValuesToBeBetween(column="net_sentiment", min_value=-1, max_value=1),
        gxe.ExpectColumnValuesToBeBetween(column="care_score", min_value=0, max_value=100),
        *(
            gxe.ExpectColumnValuesToMatchRegex(
                column=column,
                regex=_WHOLE_NUMBER,
                description=f"{column} is a count: a whole number >= 0",
            )
            for column in COUNT_COLUMNS
        ),
        *(
            gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0)
            for column in (*MINUTE_COLUMNS, "equity_index")
        ),
        *(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=larger,
                column_B=smaller,
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                description=f"{smaller} <= {larger}",
            )
            for larger, smaller in (
                ("cases", "actionable_cases"),
                ("actionable_cases", "responded_cases"),
                ("response_rate", "response_rate_low"),
                ("response_rate_high", "response_rate"),
            )
        ),
    ]
    return gx.ExpectationSuite(name=SUITE_NAME, expectations=expectations)


def validate_brand_scorecards(frame: pandas.DataFrame) -> CheckResult:
    """Validate a ``brand_scorecards`` frame against :func:`brand_scorecards_suite`."""
    return validate_frame(frame, brand_scorecards_suite(), asset_name="brand_scorecards")


def validate_frame(
    frame: pandas.DataFrame, suite: gx.ExpectationSuite, *, asset_name: str
) -> CheckResult:
    """Run ``suite`` over ``frame`` in an ephemeral, offline GX context."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    context = gx.get_context(
        mode="ephemeral",
        project_config=DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(),
            analytics_enabled=False,
            progress_bars=ProgressBarsConfig(globally=False),
        ),
    )
    batch_definition = (
        context.data_sources.add_pandas(name=f"{asset_name}_frame")
        .add_dataframe_asset(name=asset_name)
        .add_batch_definition_whole_dataframe(name="whole_frame")
    )
    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(
        suite, result_format={"result_format": "SUMMARY", "partial_unexpected_count": _EXAMPLES}
    )
    failures = [
        _describe_failure(outcome) for outcome in result.results if not outcome.success
    ]
    statistics = {**dict(result.statistics), "row_count": len(frame)}
    return CheckResult(passed=bool(result.success), failures=failures, statistics=statistics)


def _describe_failure(outcome: Any) -> str:
    """``<expectation type>(<columns>): <what went wrong>``, with a few unexpected values."""
    config = outcome.expectation_config
    kwargs = config.kwargs
    if "column" in kwargs:
        columns = kwargs["column"]
    elif "column_A" in kwargs:
        columns = f"{kwargs['column_A']}, {kwargs['column_B']}"
    elif "column_list" in kwargs:
        columns = ", ".join(kwargs["column_list"])
    else:
        columns = "table"
    label = f"{config.type}({columns})"

    exception = _exception_message(outcome.exception_info)
    if exception:
        return f"{label}: raised {exception}"
    details = outcome.result or {}
    if "unexpected_count" in details:
        examples = [_plain(value) for value in details.get("partial_unexpected_list") or []]
        return f"{label}: {details['unexpected_count']} unexpected, e.g. {examples[:_EXAMPLES]}"
    missing = (details.get("details") or {}).get("mismatched", {}).get("missing")
    if missing:
        return f"{label}: missing columns {missing}"
    return f"{label}: observed {details.get('observed_value')!r}"


def _plain(value: Any) -> Any:
    """NumPy scalars as plain Python values, so messages read ``1.5``, not ``np.float64(1.5)``."""
    if isinstance(value, tuple):
        return tuple(_plain(item) for item in value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value.item() if hasattr(value, "item") and not isinstance(value, str) else value


def _exception_message(exception_info: Any) -> str | None:
    """The first raised exception's message; GX nests the info per metric or not at all."""
    if not exception_info:
        return None
    infos = [exception_info] if "raised_exception" in exception_info else exception_info.values()
    for info in infos:
        if isinstance(info, dict) and info.get("raised_exception"):
            return str(info.get("exception_message"))
    return None
