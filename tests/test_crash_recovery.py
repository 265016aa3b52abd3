"""A SIGKILL never blocks the next run nor mixes versions: a run killed during its dbt build or
during publish leaves `current` and the analyst database on one version, and a plain
`brandcare run` afterwards proceeds (the killed run is failed and its slot freed) and publishes
tables identical, row for row, to an uninterrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus

from support import brandcare_env, run_in

TABLES = ("care_cases", "brand_scorecards", "unanswered_cases", "agent_activity")


def _run_ids(home: Path) -> set[str]:
    with brandcare_env(home), DagsterInstance.get() as instance:
        return {run.run_id for run in instance.get_runs()}


def _started_steps(home: Path, known: set[str]) -> set[str]:
    """Steps started by the run that is not among `known` (none yet: empty)."""
    with brandcare_env(home), DagsterInstance.get() as instance:
        new = [run for run in instance.get_runs() if run.run_id not in known]
        if not new:
            return set()
        records = instance.get_records_for_run(new[0].run_id, of_type=DagsterEventType.STEP_START).records
        return {r.event_log_entry.step_key for r in records}


def _kill_run_during(home: Path, step: str, delay_s: float, signum: int = signal.SIGKILL) -> subprocess.Popen:
    """Start `brandcare run`, send ``signum`` (SIGKILL) to its process group `delay_s` after
    `step` starts; the ended process, its output captured."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRANDCARE_", "DAGSTER_"))}
    env["BRANDCARE_HOME"] = str(home)
    script = Path(sys.executable).with_name("brandcare")
    known = _run_ids(home)
    proc = subprocess.Popen([str(script), "run", "--quiet"], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 600
    try:
        while step not in _started_steps(home, known):
            assert proc.poll() is None, f"the run ended before {step} started"
            assert time.monotonic() < deadline, f"{step} never started"
            time.sleep(0.2)
        time.sleep(delay_s)
        assert proc.poll() is None, f"the run finished before the kill during {step}"
    finally:
        os.killpg(proc.pid, signum)
        proc.stderr_text = proc.communicate(timeout=300)[1]
    return proc


def _same_version_everywhere(home: Path) -> str:
    published = home / "published"
    current = Path(os.path.realpath(published / "current"))
    database = Path(os.path.realpath(published / "brandcare.duckdb"))
    assert database.parent == current, f"analyst database {database} is not current's {current}"
    return current.name


@pytest.mark.parametrize(("step", "delay_s"), [("warehouse", 2.0), ("published", 0.3)])
def test_a_killed_run_neither_blocks_the_next_nor_changes_its_results(demo_run, tmp_path, step, delay_s):
    home = demo_run.copy(tmp_path)
    before = _same_version_everywhere(home)

    _kill_run_during(home, step, delay_s)
    assert _same_version_everywhere(home) in {before, *os.listdir(home / "published" / "versions")}
    with brandcare_env(home), DagsterInstance.get() as instance:
        killed = instance.get_runs(limit=1)[0]
    assert killed.status == DagsterRunStatus.STARTED, "the killed run is left STARTED (what recovery must handle)"

    said = "\n".join(run_in(home).said)  # `brandcare run`'s own code, in this process
    assert f"run {killed.run_id} of pid" in said, "the recovery says which dead run it failed"
    assert "warehouse started" in said, "the run says each stage as it starts"
    after = _same_version_everywhere(home)
    with brandcare_env(home), DagsterInstance.get() as instance:
        assert instance.get_run_by_id(killed.run_id).status == DagsterRunStatus.FAILURE
        assert not instance.event_log_storage.get_concurrency_run_ids()
    for table in TABLES:
        expected = pl.read_parquet(demo_run.home / "published" / "current" / f"{table}.parquet")
        got = pl.read_parquet(home / "published" / "versions" / after / f"{table}.parquet")
        assert got.equals(expected), f"{table} differs from the uninterrupted run's"


def test_an_interrupted_run_says_so_and_exits_as_interrupted(demo_run, tmp_path):
    """Ctrl-C during a run read as a pipeline failure: "step warehouse failed:
    DagsterExecutionInterruptedError", exit 1 (= a check or step failed; QA)."""
    home = demo_run.copy(tmp_path)
    before = _same_version_everywhere(home)
    proc = _kill_run_during(home, "warehouse", 1.0, signal.SIGINT)
    assert proc.returncode == 130, proc.stderr_text
    assert f"interrupted: nothing published; the current publication stays {before}" in proc.stderr_text
    assert _same_version_everywhere(home) == before
