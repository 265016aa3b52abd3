"""Nothing lost, nothing twice, whenever an ingest dies: files are stored as they are read
(small parts, committed by their archive_files record), a killed ingest's stored files are
not read again, and a compaction killed at any point is finished or discarded by the next
ingest or run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from pipelines import ingest

#: Files and rows of the generated batch: many small X API v2 pages (read in groups of 64),
#: so that a batch has several read groups.
FILES, ROWS = 256, 25
NOT_AN_ARCHIVE = b"stored content replaced: reading this file again would reject it"


def _write_batch(folder: Path, files: int = FILES, rows: int = ROWS) -> set[str]:
    """``files`` X API v2 search pages of ``rows`` distinct tweets each; their message ids."""
    folder.mkdir(parents=True)
    ids = set()
    for f in range(files):
        tweets = []
        for r in range(rows):
            tweet_id = str(1_900_000_000_000_000_000 + f * 1000 + r)
            ids.add(f"x:{tweet_id}")
            tweets.append({
                "id": tweet_id, "edit_history_tweet_ids": [tweet_id], "author_id": str(1_500_000_000 + r % 7),
                "conversation_id": tweet_id, "lang": "en",
                "created_at": f"2026-10-{1 + f % 28:02d}T{r % 24:02d}:{f % 60:02d}:00.000Z",
                "text": f"@telco my bill {f} is wrong again, order {r}?",
            })
        (folder / f"search_{f:04d}.json").write_text(json.dumps({"data": tweets, "meta": {"result_count": rows}}))
    return ids


def _parts(settings, table: str) -> list[Path]:
    return sorted((settings.lake_dir / table).glob("part-*.parquet"))


def _small_parts(settings) -> list[Path]:
    return [p for p in _parts(settings, "archive_files") if p.stem.endswith(ingest.SMALL_PART_SUFFIX)]


def _stored_shas(settings) -> set[str]:
    """Archive files whose record is committed in the lake (read from disk, not through ingest)."""
    return {sha for part in _parts(settings, "archive_files") for sha in pl.read_parquet(part)["sha256"]}


def _make_unreadable(settings, shas: set[str]) -> None:
    """Overwrite the stored copies: an ingest that read these files again would reject them."""
    for sha in shas:
        (settings.archives_dir / sha / ingest.STORED_NAME).write_bytes(NOT_AN_ARCHIVE)


def _assert_lake_holds_each_file_once(settings, ids: set[str]) -> pl.DataFrame:
    rows = pl.read_parquet(settings.message_rows_dir / "*.parquet")
    assert rows.height == len(ids) == rows["message_id"].n_unique()  # nothing lost, nothing twice
    assert set(rows["message_id"]) == ids
    assert ingest.reconcile(settings).is_empty()
    assert ingest.pending(settings) == []
    return rows


def test_a_killed_ingest_keeps_the_files_it_stored_and_the_next_reads_only_the_rest(settings, tmp_path: Path):
    folder = tmp_path / "batch"
    ids = _write_batch(folder)
    env = {**os.environ, "BRANDCARE_HOME": str(settings.home)}
    code = ("import sys; from pipelines import ingest; from pipelines.settings import load_settings; "
            "ingest.ingest(sys.argv[1:], load_settings())")
    process = subprocess.Popen([sys.executable, "-c", code, str(folder)], env=env)
    deadline = time.monotonic() + 300
    while not (settings.archive_files_dir.is_dir() and any(settings.archive_files_dir.glob("part-*-small.parquet"))):
        assert process.poll() is None and time.monotonic() < deadline, "the ingest ended before it stored a group"
        time.sleep(0.005)
    assert process.poll() is None
    process.send_signal(signal.SIGKILL)
    process.wait()

    stored = _stored_shas(settings)
    assert 0 < len(stored) < FILES, "killed in the middle of the batch, after some files were stored"
    assert _parts(settings, "archive_files") == _small_parts(settings)  # not compacted yet
    _make_unreadable(settings, stored)

    records = ingest.ingest([str(folder)], settings)

    assert len(records) == FILES
    assert {r.status for r in records} == {"loaded"}  # the stored files were not read again
    assert all((r.records_read, r.records_loaded, r.records_quarantined) == (ROWS, ROWS, 0) for r in records)
    _assert_lake_holds_each_file_once(settings, ids)
    assert len(_small_parts(settings)) <= 1  # the killed ingest's small parts were compacted with the rest
    assert not any((settings.lake_dir / "tmp").glob(f"ingest-{process.pid}-*"))


# --- a compaction killed at any point: the on-disk states it can leave ------------------------


def _split_into_small_parts(settings) -> tuple[list[str], str]:
    """Rewrite the lake as a batch killed at its compaction leaves it: one small part per file
    (ids older than the merged part's), and the id the merged part gets. Returns both."""
    tables = {table: pl.read_parquet(settings.lake_dir / table / "*.parquet")
              for table in ("archive_files", "message_rows", "quarantine")}
    for table in tables:
        for part in _parts(settings, table):
            part.unlink()
    base = time.time_ns()
    small = []
    for i, sha in enumerate(sorted(tables["archive_files"]["sha256"])):
        part = f"part-{base + i:020d}-{i:08x}{ingest.SMALL_PART_SUFFIX}"
        small.append(part)
        tables["archive_files"].filter(pl.col("sha256") == sha).write_parquet(settings.archive_files_dir / f"{part}.parquet")
        for table in ("message_rows", "quarantine"):
            rows = tables[table].filter(pl.col("archive_sha256") == sha)
            if rows.height:
                rows.write_parquet(settings.lake_dir / table / f"{part}.parquet")
    return small, f"part-{base + len(small):020d}-0000beef"


def _write_merged(settings, part: str, tables: tuple[str, ...]) -> None:
    """The merged part's files of ``tables``, holding every small part's rows."""
    for table in tables:
        small = [pl.read_parquet(p) for p in _parts(settings, table) if p.stem.endswith(ingest.SMALL_PART_SUFFIX)]
        if small:
            pl.concat(small).write_parquet(settings.lake_dir / table / f"{part}.parquet")


def _killed_before_the_record(settings, small, merged):
    _write_merged(settings, merged, ("message_rows", "quarantine"))  # rows in place, record not yet


def _killed_after_the_record(settings, small, merged):
    _write_merged(settings, merged, ("message_rows", "quarantine", "archive_files"))


def _killed_while_removing_the_small_parts(settings, small, merged):
    _write_merged(settings, merged, ("message_rows", "quarantine", "archive_files"))
    for part in small[: len(small) // 2]:
        (settings.archive_files_dir / f"{part}.parquet").unlink()  # records gone, their rows not yet
    (settings.message_rows_dir / f"{small[0]}.parquet").unlink(missing_ok=True)


@pytest.mark.parametrize("next_step", ["ingest", "run"])
@pytest.mark.parametrize("crash", [_killed_before_the_record, _killed_after_the_record,
                                   _killed_while_removing_the_small_parts])
def test_a_compaction_killed_at_any_point_is_finished_or_discarded_by_the_next_ingest_or_run(
        settings, tmp_path: Path, crash, next_step):
    folder = tmp_path / "batch"
    ids = _write_batch(folder, files=12, rows=5)
    first = ingest.ingest([str(folder)], settings)
    small, merged = _split_into_small_parts(settings)
    crash(settings, small, merged)
    assert not ingest.reconcile(settings).is_empty()  # as left, rows are there twice
    _make_unreadable(settings, {r.sha256 for r in first})

    if next_step == "ingest":
        again = ingest.ingest([str(folder)], settings)
        assert again == first  # recorded: not read again
    else:  # what the run's lake step does when nothing is pending
        assert ingest.normalise_many(ingest.pending(settings), settings) == []

    _assert_lake_holds_each_file_once(settings, ids)
    assert ingest.load_archive_files(settings).height == len(first)
    assert len(_parts(settings, "archive_files")) == 1 and _small_parts(settings) == []  # compacted
    if crash is not _killed_before_the_record:
        assert _parts(settings, "archive_files")[0].stem == merged  # the merged part was kept, its rest removed


def test_one_writer_at_a_time_and_a_waiting_ingest_says_for_whom(settings, tmp_path: Path):
    folder = tmp_path / "batch"
    ids = _write_batch(folder, files=3, rows=4)
    env = {**os.environ, "BRANDCARE_HOME": str(settings.home)}
    code = ("import sys, time; from pipelines import ingest; from pipelines.settings import load_settings\n"
            "with ingest.lake_lock(load_settings()):\n    print('locked', flush=True); time.sleep(3)")
    holder = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    waits = []
    records = ingest.ingest([str(folder)], settings, on_wait=waits.append)
    assert len(waits) == 1 and f"pid {holder.pid}" in waits[0]  # it waited, and said for whom
    assert holder.wait() == 0
    assert {r.status for r in records} == {"loaded"}
    _assert_lake_holds_each_file_once(settings, ids)


def test_a_killed_writer_never_blocks_the_next(settings, tmp_path: Path):
    env = {**os.environ, "BRANDCARE_HOME": str(settings.home)}
    code = ("import time; from pipelines import ingest; from pipelines.settings import load_settings\n"
            "with ingest.lake_lock(load_settings()):\n    print('locked', flush=True); time.sleep(300)")
    holder = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    waits = []
    folder = tmp_path / "batch"
    ids = _write_batch(folder, files=2, rows=3)
    ingest.ingest([str(folder)], settings, on_wait=waits.append)
    assert waits == []
    _assert_lake_holds_each_file_once(settings, ids)


def test_a_killed_process_its_parent_has_not_reaped_is_not_alive():
    """A zombie (killed, not yet reaped by its parent) still answers signal 0: a run killed with
    kill -9 kept the warehouse's slot and the next run waited on it for good (QA)."""
    import signal
    import subprocess
    import sys
    import time

    from pipelines.ingest import process_alive

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert process_alive(child.pid)
        child.send_signal(signal.SIGKILL)
        deadline = time.monotonic() + 10
        while process_alive(child.pid) and time.monotonic() < deadline:
            time.sleep(0.05)  # not reaped: a zombie until wait()
        assert not process_alive(child.pid)
        assert child.poll() is not None  # reaped only now
    finally:
        child.kill()
        child.wait()


def test_a_run_whose_process_died_is_marked_failed_and_status_says_why(tmp_path):
    """A run killed with kill -9 stayed STARTED and held the warehouse; marked failed by the next
    run, it read as FAILURE with no reason in `brandcare status` (QA). Before that next run,
    status showed it STARTED, as if it still ran."""
    import socket
    import subprocess
    import sys

    from dagster import DagsterInstance, DagsterRun, DagsterRunStatus

    from pipelines.runner import HOST_TAG, PID_TAG, prepare_environment, recover_dead_runs
    from pipelines.settings import load_settings
    from pipelines.status import home_status
    from support import brandcare_env, run_cli

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    with brandcare_env(tmp_path / "home"):
        settings = prepare_environment(load_settings())
        with DagsterInstance.get() as instance:
            instance.add_run(DagsterRun(job_name="brandcare", run_id="killed-run", status=DagsterRunStatus.STARTED,
                                        tags={PID_TAG: str(dead.pid), HOST_TAG: socket.gethostname()}))
            (before,) = home_status(settings).runs
            assert (before.status, before.dead_pid) == ("STARTED", str(dead.pid))
            shown = run_cli(tmp_path / "home", "status").stdout
            assert f"its process (pid {dead.pid}) is gone" in shown, shown
            # and one whose process died before its first step (QA: a full disk left it NOT_STARTED for good)
            instance.add_run(DagsterRun(job_name="brandcare", run_id="never-started",
                                        status=DagsterRunStatus.NOT_STARTED,
                                        tags={PID_TAG: str(dead.pid), HOST_TAG: socket.gethostname()}))
            lines = recover_dead_runs(instance)
            assert sorted(line.split(" of pid")[0] for line in lines) == ["run killed-run", "run never-started"]
            assert instance.get_run_by_id("never-started").status == DagsterRunStatus.FAILURE
        runs = home_status(settings).runs
    run = next(r for r in runs if r.run_id == "killed-run")
    assert run.status == "FAILURE" and run.dead_pid is None
    assert run.failures == [f"brandcare: the process of this run (pid {dead.pid}) is gone"]
