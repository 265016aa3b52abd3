"""Ingest streams files in batches and stores each batch as one part (few, large Parquet
files), keeps records read = loaded + quarantined per file, is idempotent, is what the dbt
source reads, and repairs whatever a killed ingest left behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest
import yaml

from pipelines import ingest
from pipelines.formats import ArchiveError
from pipelines.status import archives_status

FIXTURES = Path(__file__).parent / "fixtures"
SOURCES_YML = Path(__file__).parents[1] / "dbt_project" / "models" / "staging" / "_sources.yml"


def _archive_folder(tmp_path: Path) -> Path:
    """Nineteen fixture files of five formats, and a brands.yaml (no archive: skipped)."""
    folder = tmp_path / "archives"
    for sub in ("x_v2", "bluesky", "facebook", "canonical", "disqus"):
        shutil.copytree(FIXTURES / sub, folder / sub)
    return folder


def _parts(settings, table: str) -> list[Path]:
    return sorted((settings.lake_dir / table).glob("part-*.parquet"))


def _lake_rows(settings) -> pl.DataFrame:
    return pl.read_parquet(settings.message_rows_dir / "*.parquet").sort("archive_sha256", "position")


def test_files_are_stored_in_few_parts_and_reingesting_changes_nothing(settings, tmp_path: Path, monkeypatch):
    monkeypatch.setattr(ingest, "BATCH_FILES", 6)
    monkeypatch.setattr(ingest, "READ_GROUP_FILES", 2)  # three groups, so three small parts, per batch
    folder = _archive_folder(tmp_path)
    found = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix != ".yaml")
    records = ingest.ingest([str(folder)], settings)
    assert len(records) == len(found) == 19
    batches = -(-len(found) // 6)
    parts = _parts(settings, "archive_files")
    assert len(parts) == batches  # each batch's small parts compacted into one part, not one per file or group
    assert [p for p in parts if p.stem.endswith("-small")] == parts[-1:]  # the last batch, one file: nothing to merge
    assert len(_parts(settings, "message_rows")) <= batches
    for record in records:
        assert record.records_read == record.records_loaded + record.records_quarantined
    assert ingest.reconcile(settings).is_empty()
    lake = _lake_rows(settings)
    assert lake.height == sum(r.records_loaded for r in records)

    again = ingest.ingest([str(folder)], settings)
    assert again == records
    assert len(_parts(settings, "archive_files")) == batches
    assert _lake_rows(settings).equals(lake)


def test_the_dbt_source_reads_exactly_the_lake(settings, tmp_path: Path):
    records = ingest.ingest([str(_archive_folder(tmp_path))], settings)
    tables = {t["name"]: t for t in yaml.safe_load(SOURCES_YML.read_text())["sources"][0]["tables"]}
    counts = {}
    with duckdb.connect() as con:
        for name in ("message_rows", "quarantine", "archive_files"):
            location = tables[name]["config"]["meta"]["external_location"]
            relation = location.replace("{{ env_var('BRANDCARE_HOME', 'data') }}", str(settings.home))
            counts[name] = con.execute(f"select count(*) from {relation}").fetchone()[0]  # our own YAML, not user data
    assert counts == {
        "message_rows": sum(r.records_loaded for r in records),
        "quarantine": sum(r.records_quarantined for r in records),
        "archive_files": len(records),
    }


def test_a_killed_ingest_leaves_nothing_the_next_one_does_not_repair(settings, tmp_path: Path):
    folder = _archive_folder(tmp_path)
    env = {**os.environ, "BRANDCARE_HOME": str(settings.home)}
    code = ("import sys; from pipelines import ingest; from pipelines.settings import load_settings; "
            "ingest.ingest(sys.argv[1:], load_settings())")
    process = subprocess.Popen([sys.executable, "-c", code, str(folder)], env=env)
    work_root = settings.lake_dir / "tmp"
    deadline = time.monotonic() + 120
    while not (work_root.is_dir() and any(work_root.glob("ingest-*"))):
        assert process.poll() is None and time.monotonic() < deadline, "the ingest ended before it could be killed"
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert any(work_root.glob(f"ingest-{process.pid}-*"))  # what the kill left

    # and the states a kill between a commit's renames leaves: a part without its
    # archive_files/ record (uncommitted), and the same archive files recorded by two parts
    done = ingest.ingest([str(FIXTURES / "ingest")], settings)
    (committed,) = [p.stem for p in _parts(settings, "archive_files")
                    if set(pl.read_parquet(p)["sha256"]) == {r.sha256 for r in done}]
    orphan = settings.message_rows_dir / "part-00000000000000000001-dead.parquet"
    shutil.copy(settings.message_rows_dir / f"{committed}.parquet", orphan)
    os.utime(orphan, (time.time() - 3600, time.time() - 3600))
    newer = "part-99999999999999999999-copy"
    for table in ("message_rows", "quarantine", "archive_files"):
        shutil.copy(settings.lake_dir / table / f"{committed}.parquet", settings.lake_dir / table / f"{newer}.parquet")
    assert not ingest.reconcile(settings).is_empty()

    records = ingest.ingest([str(folder), str(FIXTURES / "ingest")], settings)
    assert not any(work_root.iterdir())
    assert not orphan.exists()
    assert not (settings.archive_files_dir / f"{committed}.parquet").exists()  # the older copy is gone
    assert ingest.reconcile(settings).is_empty()
    assert _lake_rows(settings).height == sum(r.records_loaded for r in records)
    assert ingest.pending(settings) == []


def test_a_lake_in_the_old_layout_is_normalised_again_from_the_archives(settings, tmp_path: Path):
    """Before parts, the lake held one file per archive and day (messages/date=<day>/<sha>.parquet)
    and one record and quarantine file per archive, in folders not yet named after their tables
    (files/, messages/): such a lake is cleared and rebuilt."""
    records = ingest.ingest([str(FIXTURES / "ingest"), str(FIXTURES / "twarc2" / "stream.jsonl")], settings)
    lake = _lake_rows(settings)
    files = pl.read_parquet(settings.archive_files_dir / "part-*.parquet")
    quarantine = pl.read_parquet(settings.quarantine_dir / "part-*.parquet")
    for folder in (settings.message_rows_dir, settings.quarantine_dir, settings.archive_files_dir):
        shutil.rmtree(folder)
    old_messages, old_files = settings.lake_dir / "messages", settings.lake_dir / "files"
    for (sha, day), rows in lake.with_columns(pl.col("created_at").dt.date().alias("day")).partition_by(
            "archive_sha256", "day", as_dict=True).items():
        ingest.write_parquet(rows.drop("day"), old_messages / f"date={day}" / f"{sha}.parquet")
    for record in files.iter_rows(named=True):
        sha = record["sha256"]
        ingest.write_parquet(files.filter(pl.col("sha256") == sha), old_files / f"{sha}.parquet")
        ingest.write_parquet(quarantine.filter(pl.col("archive_sha256") == sha), settings.quarantine_dir / f"{sha}.parquet")

    rebuilt = ingest.normalise_many(ingest.registered(settings), settings)

    assert not old_messages.exists() and not old_files.exists()
    assert not any(settings.message_rows_dir.glob("date=*"))
    assert sorted((r.sha256, r.records_loaded, r.records_quarantined) for r in rebuilt) == sorted(
        (r.sha256, r.records_loaded, r.records_quarantined) for r in records)
    assert _lake_rows(settings).equals(lake)
    assert ingest.reconcile(settings).is_empty() and ingest.pending(settings) == []


def test_a_home_with_the_old_folder_names_keeps_working(settings, tmp_path: Path):
    """lake/files and lake/messages (the folders' names before they took their tables' names)
    are renamed lake/archive_files and lake/message_rows, once, and nothing is read again."""
    first = ingest.ingest([str(FIXTURES / "ingest")], settings)
    lake = _lake_rows(settings)
    parts = {table: [p.name for p in _parts(settings, table)] for table in ("archive_files", "message_rows")}
    os.rename(settings.archive_files_dir, settings.lake_dir / "files")
    os.rename(settings.message_rows_dir, settings.lake_dir / "messages")

    # `brandcare status` first: it renames them, and counts what they hold
    counts = archives_status(settings)
    assert (counts.files, counts.records_loaded) == (len(first), sum(r.records_loaded for r in first))
    assert not (settings.lake_dir / "files").exists() and not (settings.lake_dir / "messages").exists()
    assert ingest.pending(settings) == []
    assert {table: [p.name for p in _parts(settings, table)] for table in parts} == parts
    assert ingest.reconcile(settings).is_empty()
    again = ingest.ingest([str(FIXTURES / "ingest"), str(FIXTURES / "twarc2" / "stream.jsonl")], settings)
    assert again[:len(first)] == first  # recorded before: not read again
    assert _lake_rows(settings).filter(pl.col("archive_sha256").is_in([r.sha256 for r in first])).equals(lake)
    assert ingest.reconcile(settings).is_empty()

    # an old folder beside its new one is never silently ignored
    (settings.lake_dir / "messages").mkdir()
    shutil.copy(_parts(settings, "message_rows")[0], settings.lake_dir / "messages")
    with pytest.raises(RuntimeError, match="both .*messages.* and .*message_rows"):
        ingest.ensure_lake(settings)


@pytest.mark.parametrize("fmt", sorted(ingest.MANY_READERS))
def test_a_group_of_json_documents_is_read_in_one_statement_within_the_memory_limit(settings, fmt: str):
    # pretty-printed pages (JSON documents, not JSON lines), in ingest's reader database with its
    # memory limit: a group of them once failed there (DuckDB asked for 2 GiB of buffers) and was
    # read again one file per statement, about four times slower
    from pipelines.formats import read_archive
    from pipelines.formats.base import is_json_lines, reader_database

    files = [f for f in sorted((FIXTURES / fmt).glob("*.json")) if not is_json_lines(f)]
    assert len(files) >= 2
    with reader_database(config=settings.duckdb_config("ingest")):
        together = ingest.MANY_READERS[fmt](files)
        for path, read in zip(files, together, strict=True):
            alone = read_archive(path, fmt)
            assert read.messages.equals(alone.messages) and read.quarantine.equals(alone.quarantine), path.name


def _x_documents(tmp_path: Path) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    for page in ("dup_page_1.json", "edit_page.json", "two_customers_page.json"):
        shutil.copy(FIXTURES / "x_v2" / page, folder / page)
    return folder


def test_a_group_that_fails_only_together_is_read_file_by_file_and_said(settings, tmp_path: Path, monkeypatch,
                                                                        caplog):
    # the statement of many fails with no file at fault (here: made to fail): every file still
    # loads, and the slower path is reported, not silent
    def fails_together(paths):
        raise ArchiveError("not readable as X API v2 JSON: Out of Memory Error")

    monkeypatch.setitem(ingest.MANY_READERS, "x_v2", fails_together)
    with caplog.at_level("WARNING", logger="pipelines.ingest"):
        records = ingest.ingest([str(_x_documents(tmp_path))], settings)
    assert [r.status for r in records] == ["loaded"] * 3
    assert "3 x_v2 files failed as one statement (not readable as X API v2 JSON: Out of Memory Error)" in caplog.text


def test_a_group_with_a_broken_file_rejects_that_file_without_a_warning(settings, tmp_path: Path, caplog):
    folder = _x_documents(tmp_path)
    (folder / "truncated.json").write_text((FIXTURES / "x_v2" / "edit_page.json").read_text()[:300])
    with caplog.at_level("WARNING", logger="pipelines.ingest"):
        records = {Path(r.source).name: r for r in ingest.ingest([str(folder)], settings)}
    assert records["truncated.json"].status == "rejected"
    assert "not readable as X API v2 JSON" in records["truncated.json"].error  # read in the group, alone at fault
    assert {r.status for name, r in records.items() if name != "truncated.json"} == {"loaded"}
    assert "failed as one statement" not in caplog.text
