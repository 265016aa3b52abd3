"""The job that materialises everything, its daily schedule, and the inbox sensor."""

import hashlib

from datetime import date, datetime, timezone

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    ScheduleEvaluationContext,
    SensorEvaluationContext,
    SkipReason,
    define_asset_job,
    schedule,
    sensor,
)

from pipelines import ingest
from pipelines.defs.partitions import FIRST_DAY, range_tags, recent_days
from pipelines.settings import load_settings

BRANDCARE_JOB = "brandcare"

brandcare_job = define_asset_job(
    BRANDCARE_JOB,
    selection=AssetSelection.all(),
    description="Normalise new archives, load the brand registry, build and test the warehouse, publish.",
)

@schedule(job=brandcare_job, cron_schedule="30 2 * * *", execution_timezone="UTC",
          default_status=DefaultScheduleStatus.STOPPED, name="brandcare_daily")
def daily_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    """Each night, recompute the days whose response window is still open (late replies) and publish."""
    today = context.scheduled_execution_time.date()
    first, last = recent_days(today, load_settings().response_window_days)
    return RunRequest(run_key=f"daily-{today}", tags=range_tags(first, last))


@sensor(job=brandcare_job, minimum_interval_seconds=60, default_status=DefaultSensorStatus.STOPPED)
def inbox_sensor(context: SensorEvaluationContext):
    """Run the pipeline on archive files dropped in $BRANDCARE_HOME/inbox that were never registered."""
    settings = load_settings()
    inbox = settings.inbox_dir
    if not inbox.is_dir():
        return SkipReason(f"no inbox folder at {inbox}")
    known = set(ingest.registered(settings))
    new = []
    for path in sorted(p for p in inbox.rglob("*") if p.is_file() and not p.name.startswith(".")):
        with path.open("rb") as handle:
            sha = hashlib.file_digest(handle, "sha256").hexdigest()
        if sha not in known:
            new.append((sha, str(path)))
    if not new:
        return SkipReason("no new archive files in the inbox")
    # the new files may hold any day, unknown until they are read: recompute every day
    return RunRequest(
        run_key="inbox-" + hashlib.sha256("".join(sha for sha, _ in new).encode()).hexdigest()[:16],
        run_config={"ops": {"lake_archives": {"config": {"sources": [path for _, path in new]}}}},
        tags=range_tags(date.fromisoformat(FIRST_DAY), datetime.now(timezone.utc).date()),
    )
