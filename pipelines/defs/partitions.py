"""Daily partitions (UTC) of the warehouse: a partition is the cases opened that day.

A backfill over a range of days is one run (single-run backfill policy) that hands dbt the
half-open window [first day, day after the last) as vars.
"""

from datetime import date, datetime, timedelta

from dagster import BackfillPolicy, DailyPartitionsDefinition

#: The first day of X (2006-03-21): no social media archive starts earlier.
FIRST_DAY = "2006-03-21"
#: Tags that make one run cover a range of partitions (Dagster's public run tags).
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"

#: end_offset=2: today and tomorrow exist (the lake accepts timestamps up to a day ahead).
daily_partitions = DailyPartitionsDefinition(start_date=FIRST_DAY, timezone="UTC", end_offset=2)
single_run_backfill = BackfillPolicy.single_run()


def window_dates(start: datetime, end: datetime) -> tuple[date, date]:
    """A partition time window as the half-open date window dbt gets."""
    return start.date(), end.date()


def range_tags(first_day: date, last_day: date) -> dict[str, str]:
    """Run tags for one run over the partitions first_day..last_day (inclusive)."""
    if last_day < first_day:
        raise ValueError(f"empty partition range: {first_day} to {last_day}")
    return {RANGE_START_TAG: first_day.isoformat(), RANGE_END_TAG: last_day.isoformat()}


def recent_days(today: date, response_window_days: int) -> tuple[date, date]:
    """The days whose cases may still change: the response window is still open for them."""
    return today - timedelta(days=response_window_days + 1), today
