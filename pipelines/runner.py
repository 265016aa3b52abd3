"""Running brandcare: the one place the CLI, the tests and the benchmarks start a pipeline run.

A run is one Dagster run in the instance under ``$BRANDCARE_HOME/dagster``. Only one run at a
time writes a home: :func:`run_pipeline` holds an advisory lock on ``$BRANDCARE_HOME/run.lock``
that the operating system drops when its process dies, so a killed run never blocks the next
one. Before it starts, a run fails the runs that a killed process left STARTED and frees the
concurrency slots they held (the ``warehouse`` pool has one slot), saying so.

Library code: it raises :class:`RunError` subclasses and never exits; the CLI prints.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from pipelines.canonical import EARLIEST_DAY
from pipelines.locks import held_flock
from pipelines.settings import Settings, load_settings

#: The Dagster instance the CLI writes: telemetry off, one writer, run monitoring on, and the
#: event log kept connected (pipelines.event_log). A file brandcare wrote (its first line) is
#: brought up to date; a file of the user's own is left alone.
INSTANCE_YAML = """\
# Written by brandcare: the local Dagster instance of this BRANDCARE_HOME.
telemetry:
  enabled: false
event_log_storage:
  # Dagster's SQLite event log (same files), each database's connection kept: pipelines/event_log.py
  module: pipelines.event_log
  class: BrandcareEventLogStorage
concurrency:
  pools:
    # One writer: every asset that writes the working warehouse shares the "warehouse" pool.
    default_limit: 1
run_monitoring:
  # Runs launched from the UI: the daemon fails runs whose process died and frees their slots.
  enabled: true
  start_timeout_seconds: 180
  max_resume_run_attempts: 0
  poll_interval_seconds: 30
  # and frees, a minute after a run ended, the slots it still holds (a UI run killed with kill -9
  # kept the warehouse's: every later UI, schedule or sensor run waited, QA)
  free_slots_after_run_end_seconds: 60
"""

#: Tags of the runs this module starts: which process runs them, so a dead one is recognised.
PID_TAG = "brandcare/pid"
HOST_TAG = "brandcare/host"


class RunError(Exception):
    """A run could not start; the message says why and what to do."""


class EmptyLakeError(RunError):
    """The lake holds no messages: nothing to compute or publish."""


@dataclass
class RunOutcome:
    """A finished run: the Dagster result, what failed, and what recovery did before it."""

    result: object
    recovered: list[str] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return bool(self.result.success)

    @property
    def run_id(self) -> str:
        return self.result.run_id

    def checks(self) -> dict[str, list]:
        """The run's asset check evaluations by :func:`check_outcome`."""
        sorted_checks: dict[str, list] = {"passed": [], "failed": [], "warned": []}
        for e in self.result.get_asset_check_evaluations():
            sorted_checks[check_outcome(e)].append(e)
        return sorted_checks

    def failures(self) -> list[str]:
        """One line per failed check or step, for people."""
        failed = [check_line(e) for e in self.checks()["failed"]]
        return failed + [step_failure_line(event) for event in self.result.all_events if event.is_step_failure]

    @property
    def interrupted(self) -> bool:
        """Whether a step failed because the run was interrupted (Ctrl-C, SIGTERM), not on its own."""
        def causes(error):
            while error is not None:
                yield error.cls_name
                error = error.cause
        return any("DagsterExecutionInterruptedError" in causes(event.step_failure_data.error)
                   for event in self.result.all_events if event.is_step_failure)


def check_outcome(evaluation) -> str:
    """``passed``, ``failed`` (an error: nothing is published) or ``warned`` (a warning-severity
    check that did not pass: published, and said) for one asset check evaluation."""
    from dagster import AssetCheckSeverity

    if evaluation.passed:
        return "passed"
    return "warned" if evaluation.severity == AssetCheckSeverity.WARN else "failed"


def check_line(evaluation) -> str:
    """One line for people: the check, its outcome, and what it means when it says (the
    evaluation's description, else the dbt test's)."""
    from pipelines.project import check_description

    description = check_description(evaluation)
    return (f"check {evaluation.asset_key.to_user_string()}:{evaluation.check_name} {check_outcome(evaluation)}"
            + (f" ({description})" if description else ""))


#: the metadata entry of a warned check's evaluation that holds its rows (recorded by the build:
#: pipelines.defs.warehouse)
ROWS_METADATA = "rows"


def warned_rows(evaluation) -> list[str]:
    """The rows recorded with a warned check's evaluation, one per line."""
    entry = evaluation.metadata.get(ROWS_METADATA)
    return entry.value.splitlines() if entry is not None else []


def step_failure_line(event) -> str:
    """One line for people of a step's failure event: the step and the error that failed it (not
    Dagster's wrapper around it: "Error occurred while executing op ..."), its class without the
    module, whitespace folded, a quoted command left out, at most 400 characters."""
    error = event.step_failure_data.error
    while error is not None and error.cause is not None and error.cls_name == "DagsterExecutionStepExecutionError":
        error = error.cause
    if error is None:
        return f"step {event.step_key} failed"
    message = " ".join(re.sub(r"`[^`]*`", "", error.message).split())
    message = re.sub(r"^(?:\w+\.)+(\w+: )", r"\1", message)
    return f"step {event.step_key} failed: " + (message if len(message) <= 400 else message[:399] + "…")


def prepare_environment(settings: Settings | None = None, brands: str | Path | None = None) -> Settings:
    """Resolve BRANDCARE_HOME (and a brand registry) into the environment Dagster and dbt read,
    and write the home's Dagster instance configuration when it has none (or brandcare's own is
    out of date)."""
    settings = settings or load_settings()
    os.environ["BRANDCARE_HOME"] = str(settings.home)
    if brands:
        os.environ["BRANDCARE_BRANDS"] = str(Path(brands).expanduser().resolve())
        settings = load_settings()
    settings.dagster_home.mkdir(parents=True, exist_ok=True)
    instance_yaml = settings.dagster_home / "dagster.yaml"
    written = instance_yaml.read_text() if instance_yaml.exists() else None
    if written is None or (written != INSTANCE_YAML and written.startswith(INSTANCE_YAML.splitlines()[0])):
        instance_yaml.write_text(INSTANCE_YAML)
    os.environ["DAGSTER_HOME"] = str(settings.dagster_home)
    # dbt's DuckDB (profiles.yml) reads its memory limit from the environment: Settings' value
    os.environ["BRANDCARE_DUCKDB_MEMORY_LIMIT"] = settings.duckdb_memory_limit
    return settings


@contextlib.contextmanager
def home_lock(settings: Settings, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the one-writer lock of a home; wait (saying for whom) while another run holds it.

    The lock is ``flock`` on ``run.lock``: it dies with its process, so a kill frees it.
    """
    holder = f"run of pid {os.getpid()} on {socket.gethostname()} since {time.strftime('%Y-%m-%d %H:%M:%S')}"
    with held_flock(settings.home / "run.lock", holder, "another brandcare run", on_wait,
                    "waiting for {holder} to finish (lock {path})"):
        yield


def dead_pid(run) -> str | None:
    """The pid of a run started by ``brandcare run`` on this machine whose process is gone
    (killed, crashed), else None (a live process, another machine, a UI run without the tag)."""
    from pipelines.ingest import process_alive

    pid, host = run.tags.get(PID_TAG), run.tags.get(HOST_TAG)
    if pid is None or host != socket.gethostname() or process_alive(int(pid)):
        return None
    return pid


def recover_dead_runs(instance) -> list[str]:
    """Fail the runs of this home whose process is gone and free the concurrency slots they hold.

    Called with the home lock held, so no live CLI run of this home can be among them. A run
    without our pid tag (launched from the UI) is left to Dagster's run monitoring.
    """
    from dagster import DagsterRunStatus, RunsFilter

    recovered = []
    # NOT_STARTED: a run whose process died before its first step (QA: a full disk left one for good)
    stuck = instance.get_runs(filters=RunsFilter(statuses=[DagsterRunStatus.STARTED, DagsterRunStatus.STARTING,
                                                           DagsterRunStatus.QUEUED, DagsterRunStatus.NOT_STARTED]))
    for run in stuck:
        pid = dead_pid(run)
        if pid is None:
            continue
        instance.report_run_failed(run, f"brandcare: the process of this run (pid {pid}) is gone")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        recovered.append(f"run {run.run_id} of pid {pid} died: marked failed, its concurrency slots freed")
    # slots claimed by runs that are no longer in progress (a kill between claim and free)
    from dagster import DagsterRunStatus as Status

    for run_id in instance.event_log_storage.get_concurrency_run_ids():
        run = instance.get_run_by_id(run_id)
        if run is None or run.status not in (Status.STARTED, Status.STARTING, Status.QUEUED):
            instance.event_log_storage.free_concurrency_slots_for_run(run_id)
            recovered.append(f"run {run_id} was not running but held concurrency slots: freed")
    return recovered


def wait_for_warehouse(settings: Settings, say: Callable[[str], None], timeout_s: float = 900.0) -> None:
    """Wait while another process (a killed run's orphaned dbt, an analyst opening the working
    warehouse read-write) holds the working warehouse's file lock, saying for whom."""
    import duckdb

    if not settings.warehouse_path.exists():
        return
    deadline, told = time.monotonic() + timeout_s, False
    while True:
        try:
            duckdb.connect(str(settings.warehouse_path)).close()
            return
        except duckdb.Error as exc:
            if not (isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()):
                from pipelines.defs.warehouse import DAMAGED_WORDS, damaged_warehouse

                if not any(words in str(exc) for words in DAMAGED_WORDS):
                    raise
                # (QA: the build's step said so, but this wait opens the file first: a traceback)
                words = str(exc).removeprefix("IO Error: ")
                detail = re.split(r" in block at|: attempted to read", words, maxsplit=1)[0]
                raise RunError(damaged_warehouse(settings, detail)) from exc
            if time.monotonic() > deadline:
                raise RunError(f"the working warehouse stays locked: {exc}") from exc
            if not told:
                holder = str(exc).split("Conflicting lock is held in", 1)[-1].strip() or "another process"
                say(f"waiting for {holder} to release {settings.warehouse_path}")
                told = True
            time.sleep(1.0)


def run_window(settings: Settings, min_date: date | None = None, max_date: date | None = None) -> tuple[date, date]:
    """The inclusive first and last day of a run: the given half-open window, else the lake's days.
    The run recomputes the cases of the months these days fall in (monthly partitions)."""
    from pipelines import ingest

    dates = ingest.lake_dates(settings)
    if dates is None:
        import polars as pl

        files = ingest.load_archive_files(settings)
        loaded = files.filter(pl.col("status") == "loaded")
        if loaded.height:  # files were ingested, and every record was quarantined (QA: "ingest first" misled)
            raise EmptyLakeError(
                f"the lake under {settings.home} holds no messages: every record of its {loaded.height} loaded "
                f"file(s) ({loaded['records_quarantined'].sum()} records) was quarantined: each file's line of "
                "`brandcare ingest` says the commonest reason; all of them are in the lake's quarantine/*.parquet")
        raise EmptyLakeError(
            f"the lake under {settings.home} holds no messages: `brandcare ingest SOURCE...` first"
        )
    if min_date is not None and max_date is not None and min_date >= max_date:
        raise RunError(f"--from {min_date} must be before --to {max_date} (the window is half-open)")
    first = min_date or dates[0]
    last = (max_date - timedelta(days=1)) if max_date else dates[1]
    if last < first:
        raise RunError(f"the window [{first}, {last + timedelta(days=1)}) holds no day")
    if first < EARLIEST_DAY:
        raise RunError(f"--from {first} is before {EARLIEST_DAY}, the first day a message may carry" if min_date else
                       f"the lake holds messages dated {first}, before {EARLIEST_DAY} (placeholder dates, loaded "
                       "before ingest quarantined them): `brandcare ingest --reread` quarantines them")
    return first, last


def empty_window(settings: Settings, first: date, last: date) -> str | None:
    """When the days ``first`` to ``last`` (inclusive) hold no message of the lake: those days and
    the days that do, as words; None when some message falls in them."""
    from pipelines import ingest

    if ingest.lake_dates(settings, between=(first, last)) is not None:
        return None
    low, high = ingest.lake_dates(settings) or (None, None)
    return (f"no message of the lake is dated in [{first}, {last + timedelta(days=1)}) (the lake's messages are "
            f"dated {low} to {high})")


def empty_window_note(settings: Settings, first: date, last: date) -> str | None:
    """What to say of a run whose days hold no message of the lake (:func:`empty_window`). Such a
    run computes no case and publishes the warehouse as it stands: a mistyped window, said
    rather than silent."""
    empty = empty_window(settings, first, last)
    return None if empty is None else (f"note: {empty}: the run has no case to compute there and publishes the "
                                       "warehouse as it stands")


def run_pipeline(
    settings: Settings | None = None,
    min_date: date | None = None,
    max_date: date | None = None,
    *,
    quiet: bool = False,
    on_message: Callable[[str], None] | None = None,
) -> RunOutcome:
    """Materialise everything as one Dagster run in the instance under $BRANDCARE_HOME.

    The run covers the monthly partitions that [min_date, max_date) touches (default: every
    month of the lake): the cases opened in those months are recomputed; the publication holds all.
    Raises :class:`EmptyLakeError` on an empty lake (nothing is published).
    """
    from dagster import DagsterInstance

    from pipelines.definitions import defs
    from pipelines.defs.automation import BRANDCARE_JOB
    from pipelines.defs.partitions import range_tags

    settings = prepare_environment(settings)
    say = on_message or (lambda _line: None)
    first, last = run_window(settings, min_date, max_date)
    empty = empty_window_note(settings, first, last)
    if empty:
        say(empty)
    with home_lock(settings, on_wait=say), DagsterInstance.get() as instance:
        recovered = recover_dead_runs(instance)
        for line in recovered:
            say(line)
        wait_for_warehouse(settings, say)
        job = defs().resolve_job_def(BRANDCARE_JOB)
        tags = {**range_tags(first, last), PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}
        run_id = str(uuid.uuid4())
        instance.add_event_listener(run_id, _stage_reporter(say))
        with _dbt_output(settings, quiet, say):
            result = job.execute_in_process(
                instance=instance,
                run_id=run_id,
                raise_on_error=False,
                tags=tags,
                run_config={"loggers": {"console": {"config": {"log_level": "WARNING" if quiet else "INFO"}}}},
            )
    return RunOutcome(result=result, recovered=recovered)


def _stage_reporter(say: Callable[[str], None]) -> Callable:
    """Says each step of a run as it starts, and as it waits for a pool another run holds, from
    the instance's event stream."""
    from dagster import DagsterEventType

    def on_event(entry) -> None:
        if not entry.is_dagster_event:
            return
        event = entry.dagster_event
        if event.event_type == DagsterEventType.STEP_START:
            say(f"{time.strftime('%H:%M:%S')} {event.step_key} started")
        elif event.event_type == DagsterEventType.ENGINE_EVENT and (event.message or "").startswith(
                "Step blocked by limit for pool"):  # Dagster's first message of the wait (QA: silent)
            say(f"{time.strftime('%H:%M:%S')} {event.step_key} waits: another run holds the "
                f"{event.message.rsplit(' ', 1)[-1]} pool (`brandcare status` lists the runs)")

    return on_event


@contextlib.contextmanager
def _dbt_output(settings: Settings, quiet: bool, say: Callable[[str], None]):
    """dagster-dbt echoes every dbt event to stdout; when quiet, send that to a log file instead."""
    if not quiet:
        yield
        return
    log = settings.logs_dir / f"run-{time.strftime('%Y%m%dT%H%M%S')}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    say(f"dbt output: {log}")
    with log.open("w") as handle, contextlib.redirect_stdout(handle):
        yield


def current_manifest(settings: Settings) -> dict | None:
    """The manifest of the current publication, or None before the first one."""
    path = settings.published_dir / "current" / "manifest.json"
    return json.loads(path.read_text()) if path.exists() else None
