"""The job that materialises everything, its daily schedule, and the inbox sensor."""

from __future__ import annotations

import hashlib

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    ScheduleDefinition,
    SensorEvaluationContext,
    SkipReason,
    define_asset_job,
    sensor,
)

from pipelines import ingest
from pipelines.settings import load_settings

BRANDCARE_JOB = "brandcare"

brandcare_job = define_asset_job(
    BRANDCARE_JOB,
    selection=AssetSelection.all(),
    description="Normalise new archives, load the brand registry, build and test the warehouse, publish.",
)

daily_schedule = ScheduleDefinition(
    name="brandcare_daily",
    job=brandcare_job,
    cron_schedule="30 2 * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.STOPPED,
    description="Recompute every scorecard (late replies reopen the response window) and publish.",
)


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
    return RunRequest(
        run_key="inbox-" + hashlib.sha256("".join(sha for sha, _ in new).encode()).hexdigest()[:16],
        run_config={"ops": {"lake_archives": {"config": {"sources": [path for _, path in new]}}}},
    )
