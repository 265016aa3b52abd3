"""Monthly partitions (UTC) of the warehouse: a partition is the cases opened that month.

Months, not days: Dagster keeps bookkeeping per partition of a run's range, so a run over
fifteen years of sparse data must not cost 5,500 daily partitions; 180 months cost little,
and a month is the scorecards' own period. A backfill over a range of months is one run
(single-run backfill policy) that hands dbt the half-open window [first day of the first
month, first day after the last) as data (the source lake.run_window).
"""

from datetime import date, datetime, timedelta

from dagster import BackfillPolicy, MonthlyPartitionsDefinition

from pipelines.canonical import EARLIEST_DAY

#: The first month a message may fall in (canonical.EARLIEST_DAY: the first blogs' comments;
#: ingest quarantines earlier timestamps).
FIRST_MONTH = EARLIEST_DAY.isoformat()
#: Tags that make one run cover a range of partitions (Dagster's public run tags).
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
#: The tag of a run of one partition, and of every run a backfill launches.
PARTITION_TAG = "dagster/partition"
BACKFILL_TAG = "dagster/backfill"

#: end_offset=2: this month and the next exist (the lake accepts timestamps up to a day ahead).
monthly_partitions = MonthlyPartitionsDefinition(start_date=FIRST_MONTH, timezone="UTC", end_offset=2)
single_run_backfill = BackfillPolicy.single_run()


def window_dates(start: datetime, end: datetime) -> tuple[date, date]:
    """A partition time window as the half-open date window dbt gets."""
    return start.date(), end.date()


def range_tags(first_day: date, last_day: date) -> dict[str, str]:
    """Run tags for one run over the months holding first_day..last_day (inclusive)."""
    if last_day < first_day:
        raise ValueError(f"empty partition range: {first_day} to {last_day}")
    return {RANGE_START_TAG: first_day.replace(day=1).isoformat(), RANGE_END_TAG: last_day.replace(day=1).isoformat()}


def recent_days(today: date, response_window_days: int) -> tuple[date, date]:
    """The days whose cases may still change: the response window is still open for them."""
    return today - timedelta(days=response_window_days + 1), today
