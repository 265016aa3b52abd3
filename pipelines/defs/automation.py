"""The job that materialises everything, its daily schedule, and the inbox sensor."""

import hashlib
import json

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

from pipelines import ingest, sources
from pipelines.defs.partitions import range_tags, recent_days
from pipelines.runner import empty_window
from pipelines.settings import load_settings

BRANDCARE_JOB = "brandcare"

brandcare_job = define_asset_job(
    BRANDCARE_JOB,
    selection=AssetSelection.all(),
    description="Normalise new archives, load the brand registry, build and test the warehouse, publish.",
)

@schedule(job=brandcare_job, cron_schedule="30 2 * * *", execution_timezone="UTC",
          default_status=DefaultScheduleStatus.STOPPED, name="brandcare_daily",
          description="Each night at 02:30 UTC, for a home fed with live data: recompute the days whose "
          "response window is still open (late replies) and publish; skipped when the lake holds no "
          "message of those days.")
def daily_schedule(context: ScheduleEvaluationContext) -> RunRequest | SkipReason:
    """Each night, recompute the days whose response window is still open (late replies) and
    publish; no run when the lake holds no message of those days (an archive that ends earlier:
    the run would rebuild empty days and publish a copy, pruning older versions)."""
    today = context.scheduled_execution_time.date()
    settings = load_settings()
    first, last = recent_days(today, settings.response_window_days)
    if empty := empty_window(settings, first, last):  # said as a skip, not as a run's note (QA)
        return SkipReason(f"no run tonight: {empty}; a run would rebuild empty days and publish a copy")
    return RunRequest(run_key=f"daily-{today}", tags=range_tags(first, last))


@sensor(job=brandcare_job, minimum_interval_seconds=60, default_status=DefaultSensorStatus.STOPPED,
        description="Archive files dropped in $BRANDCARE_HOME/inbox (create the folder) are ingested, then one "
        "run recomputes the days they hold and publishes.")
def inbox_sensor(context: SensorEvaluationContext):
    """Archive files dropped in $BRANDCARE_HOME/inbox: register and normalise them into the lake
    (files only, never the warehouse), then ask for one run over the days they hold. Files that
    an ingest of the folder would skip (media, an X archive's viewer) are left where they are,
    never taken for new archive files at each tick.

    The cursor keeps each file's size and modification time once it was looked at: an unchanged
    file is not read again at the next tick (a zip, whose entries are what is registered, would
    otherwise be hashed and unpacked every minute; an X archive's zip holds gigabytes)."""
    settings = load_settings()
    inbox = settings.inbox_dir
    if not inbox.is_dir():
        return SkipReason(f"no inbox folder at {inbox}")
    seen = json.loads(context.cursor) if context.cursor else {}
    known = set(ingest.registered(settings))
    paths, _ = sources.local_files(str(inbox))
    skipped = sources.skip_reasons(paths)
    new, stamps, passed_over = [], {}, []
    for path in paths:
        stat = path.stat()
        stamps[str(path)] = [stat.st_size, stat.st_mtime_ns]
        if seen.get(str(path)) == stamps[str(path)]:
            continue
        if path in skipped:  # said once, as an ingest of the folder says it (QA: a binary said nowhere)
            passed_over.append(f"skipped {path.name}: {skipped[path]}")
            context.log.info(passed_over[-1])
            continue
        with path.open("rb") as handle:
            if hashlib.file_digest(handle, "sha256").hexdigest() not in known:
                new.append(str(path))
            else:  # a copy of a file loaded before: said once, not taken for nothing (QA)
                passed_over.append(f"already ingested {path.name}: the same content is registered")
                context.log.info(passed_over[-1])
    if not new:
        context.update_cursor(json.dumps(stamps, sort_keys=True))
        return SkipReason("; ".join(["no new archive files in the inbox", *passed_over]))
    records = ingest.ingest(new, settings)
    context.update_cursor(json.dumps(stamps, sort_keys=True))  # once ingested: a failed ingest is tried again
    for record in records:
        context.log.info(record.summary())
    days = ingest.lake_dates(settings, (r.sha256 for r in records))
    if days is None:
        return SkipReason(f"{len(records)} new file(s) hold no messages")
    return RunRequest(
        run_key="inbox-" + "-".join(sorted(r.sha256[:12] for r in records)),
        tags=range_tags(*days),
    )
