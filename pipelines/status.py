"""What a brandcare home holds: archives, the lake's days, the months materialised, the last
runs with their failed checks, and the current publication. Data only; ``brandcare status``
formats it.

Reading a home never creates it: a part that is not there yet reads as empty.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from pipelines.settings import Settings


@dataclass(frozen=True)
class ArchivesStatus:
    """The archive files recorded in the lake and their counts."""

    files: int = 0
    rejected: int = 0
    records_read: int = 0
    records_loaded: int = 0
    records_quarantined: int = 0
    #: Registered files another version of the readers or classifiers read (ingest.read_by_other_versions).
    read_by_other_versions: int = 0


@dataclass(frozen=True)
class RunStatus:
    """One Dagster run of the home's instance."""

    run_id: str
    status: str  # Dagster's run status: SUCCESS, FAILURE, STARTED, QUEUED, CANCELED...
    started_at: datetime | None
    ended_at: datetime | None
    #: The first and last month (YYYY-MM-DD, first day) of a range run, or its one month; None for
    #: an unpartitioned one.
    window: tuple[str, str] | None
    #: One line per failed check or step.
    failures: list[str] = field(default_factory=list)
    #: One line per warning-severity check that did not pass (the run published), each followed
    #: by the rows it found, indented.
    warnings: list[str] = field(default_factory=list)
    #: The UI backfill the run belongs to (one of its runs: the models, the window, the publication).
    backfill: str | None = None
    #: The pid of a run still STARTED (or QUEUED) whose ``brandcare run`` process is gone: killed.
    dead_pid: str | None = None


@dataclass(frozen=True)
class HomeStatus:
    home: Path
    archives: ArchivesStatus
    #: First and last UTC day of the posts in the lake; None when it holds none.
    lake_dates: tuple[date, date] | None
    #: Monthly partitions materialised at least once (partition keys, sorted).
    months: list[str]
    #: The last runs, newest first.
    runs: list[RunStatus]
    #: The current publication's manifest (version, created_at, data_horizon, ...); None before the first.
    publication: dict | None


def archives_status(settings: Settings) -> ArchivesStatus:
    from pipelines import ingest

    if settings.lake_dir.is_dir():
        ingest.ensure_lake(settings)  # a home whose lake folders have their old names
    if not any(settings.archive_files_dir.glob("*.parquet")):
        return ArchivesStatus()
    files = ingest.load_archive_files(settings)
    if files.is_empty():
        return ArchivesStatus()
    return ArchivesStatus(
        files=files.height,
        rejected=int((files["status"] == "rejected").sum()),
        records_read=int(files["records_read"].sum()),
        records_loaded=int(files["records_loaded"].sum()),
        records_quarantined=int(files["records_quarantined"].sum()),
        read_by_other_versions=ingest.read_by_other_versions(settings, files).height,
    )


def _timestamp(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value else None


def _problems(instance, run_id: str) -> tuple[list[str], list[str]]:
    """(failed checks and steps, warned checks) of one run, one line each."""
    from dagster import DagsterEventType

    from pipelines.runner import check_line, check_outcome, step_failure_line, warned_rows

    failed, warned, run_failure = [], [], None
    for entry in instance.all_logs(run_id, of_type={DagsterEventType.ASSET_CHECK_EVALUATION,
                                                    DagsterEventType.STEP_FAILURE, DagsterEventType.RUN_FAILURE}):
        event = entry.dagster_event
        if event.event_type == DagsterEventType.STEP_FAILURE:
            failed.append(step_failure_line(event))
            continue
        if event.event_type == DagsterEventType.RUN_FAILURE:
            run_failure = event.message or entry.user_message
            continue
        evaluation = event.event_specific_data
        outcome = check_outcome(evaluation)
        if outcome == "failed":
            failed.append(check_line(evaluation))
        elif outcome == "warned":
            warned += [check_line(evaluation), *(f"  {row}" for row in warned_rows(evaluation))]
    if not failed and run_failure:  # no step failed: a killed run's, a run refused before its steps
        failed.append(run_failure)
    return failed, warned


def dagster_status(settings: Settings, runs: int = 5) -> tuple[list[str], list[RunStatus]]:
    """The months materialised and the last ``runs`` runs of the home's Dagster instance."""
    from dagster import DagsterInstance

    from pipelines.defs.partitions import BACKFILL_TAG, PARTITION_TAG, RANGE_END_TAG, RANGE_START_TAG
    from pipelines.runner import dead_pid

    if not (settings.dagster_home / "dagster.yaml").exists():
        return [], []
    os.environ["DAGSTER_HOME"] = str(settings.dagster_home)  # the instance's event log is found from it
    with DagsterInstance.get() as instance:
        months: set[str] = set()
        for key in instance.get_asset_keys():
            months |= set(instance.get_materialized_partitions(key))
        statuses = []
        for record in instance.get_run_records(limit=runs):
            run = record.dagster_run
            start, end = run.tags.get(RANGE_START_TAG), run.tags.get(RANGE_END_TAG)
            if not (start and end):  # a UI run of one month
                start = end = run.tags.get(PARTITION_TAG)
            failed, warned = _problems(instance, run.run_id)
            statuses.append(RunStatus(
                run_id=run.run_id,
                status=run.status.value,
                started_at=_timestamp(record.start_time),
                ended_at=_timestamp(record.end_time),
                window=(start, end) if start and end else None,
                failures=failed,
                warnings=warned,
                backfill=run.tags.get(BACKFILL_TAG),
                dead_pid=dead_pid(run) if not run.is_finished else None,
            ))
    return sorted(months), statuses


def home_status(settings: Settings, runs: int = 5) -> HomeStatus:
    """Everything ``brandcare status`` shows, read from the home without writing to it (but
    for giving the lake folders of a home written before they took their tables' names those
    names)."""
    from pipelines import ingest
    from pipelines.runner import current_manifest

    archives = archives_status(settings)  # first: it renames an old home's lake folders
    lake_dates = ingest.lake_dates(settings) if settings.message_rows_dir.exists() else None
    months, last_runs = dagster_status(settings, runs)
    return HomeStatus(
        home=settings.home,
        archives=archives,
        lake_dates=lake_dates,
        months=months,
        runs=last_runs,
        publication=current_manifest(settings),
    )


def month_spans(months: list[str]) -> str:
    """Sorted ``YYYY-MM`` months as their runs of consecutive months: "2025-11, 2026-03 to
    2026-10" (one span from the first to the last read as months that were never run, QA)."""
    spans: list[list[str]] = []
    for month in months:
        year, number = int(month[:4]), int(month[5:7])
        previous = f"{year - (number == 1)}-{12 if number == 1 else number - 1:02d}"
        if spans and spans[-1][1] == previous:
            spans[-1][1] = month
        else:
            spans.append([month, month])
    return ", ".join(first if first == last else f"{first} to {last}" for first, last in spans)
