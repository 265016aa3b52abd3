"""The whole product as a user runs it: demo, re-runs, bad data, readers during publication."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.publish import current_version
from support import run_cli, run_in

PUBLISHED_FILES = {"brand_scorecards.parquet", "care_cases.parquet", "unanswered_cases.parquet",
                   "manifest.json", "report.html"}
ANALYST_TABLES = {"brand_scorecards", "care_cases", "unanswered_cases", "messages", "archive_files",
                  "quarantine", "manifest"}


def test_demo_publishes_every_file_and_prints_the_top_of_the_scorecard(demo_run):
    current = demo_run.home / "published" / "current"
    assert {p.name for p in current.iterdir()} >= PUBLISHED_FILES
    manifest = json.loads((current / "manifest.json").read_text())
    assert manifest["data_horizon"] and manifest["row_counts"]["care_cases"] > 0
    assert all(check["passed"] for check in manifest["checks"]) and len(manifest["checks"]) > 20
    # each check with the severity it is configured with, passed or not (dagster-dbt reports a
    # passing warning test as ERROR: the manifest listed them as blocking)
    warning = {c["name"] for c in manifest["checks"] if c["severity"] == "WARN"}
    assert warning == {"warn_conversations_cut", "warn_brand_accounts_silent", "warn_brands_without_accounts",
                       "warn_answers_not_threaded", "warn_account_of_two_brands", "read_by_this_version"}, warning
    # the analyst knows the error of every classified count: model version and held-out figures
    from pipelines.classifier.model import load_card

    assert manifest["classifiers"]["version"] == load_card()["version"]
    assert 0 < manifest["classifiers"]["heldout"]["tasks"]["intent"]["en"]["accuracy"] <= 1
    with duckdb.connect(str(demo_run.home / "published" / "brandcare.duckdb"), read_only=True) as con:
        assert {row[0] for row in con.execute("show tables").fetchall()} >= ANALYST_TABLES
        columns = {row[0] for row in con.execute("describe messages").fetchall()}
    assert {"message_id", "platform", "native_id", "conversation_id", "parent_id", "author_id", "author_handle",
            "is_brand", "author_brand_id", "addressed_brand_ids", "created_at", "text", "lang", "sentiment",
            "deflection", "archive_sha256"} <= columns
    assert "latest final month" in demo_run.stdout and "Telvia" in demo_run.stdout
    loaded = sum(r["records_loaded"] for r in demo_run.query("select records_loaded from archive_files"))
    assert re.search(rf"^    \d+ files: {loaded} records loaded, \d+ quarantined$", demo_run.stdout, re.M)
    assert "<table>" in (current / "report.html").read_text()
    unanswered = pl.read_parquet(current / "unanswered_cases.parquet")
    assert unanswered.height > 0 and unanswered["opened_at"].is_sorted(descending=True)  # newest first
    assert {"opened_text", "customer_handle", "author_followers", "opened_url"} <= set(unanswered.columns)


def test_dbt_keeps_warnings_and_errors_in_its_own_log_not_each_node(demo_run):
    """dbt's log file keeps what goes wrong (a damaged warehouse is told from it), not each node's
    start and result (Dagster's event log and the run's output hold them: 0.5 s of CPU per run),
    nor the debug events (each statement and connection: 1 s more; pipelines.defs.resources).
    tests/test_reply_coverage.py sees a warning in it."""
    lines = (demo_run.home / "dbt" / "target" / "dbt.log").read_text().splitlines()
    assert {json.loads(line)["info"]["level"] for line in lines} <= {"warn", "error"}


def test_every_archive_file_reconciles_and_every_malformed_record_is_in_quarantine(demo_run):
    files = {r["name"]: r for r in demo_run.query("select * from archive_files")}
    planted = {Path(name).name: meta for name, meta in demo_run.truth["files"].items()}
    assert set(files) == set(planted)
    for name, meta in planted.items():
        row = files[name]
        assert row["records_read"] == row["records_loaded"] + row["records_quarantined"]
        assert (row["records_read"], row["records_quarantined"], row["format"]) == (
            meta["records_read"], meta["records_quarantined"], meta["format"]), name
    quarantined = demo_run.query("select archive_name, reason from quarantine")
    assert len(quarantined) == sum(m["records_quarantined"] for m in planted.values())
    assert all(q["reason"] for q in quarantined)
    # the malformed records the generator plants, one kind per format at least
    planted_kinds = (
        "missing required field: id", "missing required field: author_id", "invalid created_at: not-a-date",
        "invalid wp:comment_date_gmt: '0000-00-00 00:00:00'", "excluded: app.bsky.feed.like",
        "excluded: deleted comment", "excluded: spam comment", "excluded: hidden comment",
        "missing from: no author", "not valid JSON",
        "timestamp without zone in commit.record.createdAt",
    )
    reasons = {q["reason"] for q in quarantined}
    assert {kind for kind in planted_kinds if any(r.startswith(kind) for r in reasons)} == set(planted_kinds)
    assert all(r.startswith(planted_kinds) for r in reasons), reasons


def _published(home: Path, version: str, table: str) -> pl.DataFrame:
    return pl.read_parquet(home / "published" / "versions" / version / f"{table}.parquet")


def test_rerun_gives_identical_tables_reingest_adds_nothing_and_readers_never_fail(demo_run, tmp_path):
    home = demo_run.copy(tmp_path)
    before = current_version(home / "published")

    reingest = run_cli(home, "ingest", str(home / "sample" / "x"), str(home / "sample" / "blog"))
    assert "(new)" not in reingest.stdout and "already registered" in reingest.stdout
    lines = [line for line in reingest.stdout.splitlines() if "already registered" in line]
    assert lines and all(("x_v2" in line or "wxr" in line) and "read" in line and "loaded" in line
                         and "quarantined" in line for line in lines)

    errors: list[str] = []
    reads = {"count": 0, "versions": set()}
    stop = threading.Event()

    def read_while_publishing():
        while not stop.is_set():
            try:
                with duckdb.connect(str(home / "published" / "brandcare.duckdb"), read_only=True) as con:
                    version, counts = con.execute("select version, row_counts from manifest").fetchone()
                    for table in ("brand_scorecards", "care_cases", "messages", "archive_files"):
                        (n,) = con.execute(f"select count(*) from {table}").fetchone()
                        if n != counts[table]:
                            errors.append(f"{version}: {table} has {n} rows, manifest says {counts[table]}")
                reads["count"] += 1
                reads["versions"].add(version)
            except Exception as exc:  # any failure of a reader is what this test is about
                errors.append(repr(exc))

    reader = threading.Thread(target=read_while_publishing)
    reader.start()
    try:
        run_in(home)  # `brandcare run`'s own code, in this process: the reader is another thread
    finally:
        stop.set()
        reader.join()
    after = current_version(home / "published")

    assert not errors, errors[:3]
    assert reads["count"] > 0
    assert after != before
    for table in ("brand_scorecards", "care_cases", "unanswered_cases"):
        first, second = _published(home, before, table), _published(home, after, table)
        assert first.equals(second), f"{table} differs between two runs on the same inputs"


def _plant_stray_lake_row(home: Path) -> str:
    """A row in the lake that no archive file accounts for (a lost write, a hand edit)."""
    victim = next(p for p in (home / "lake" / "message_rows").glob("part-*.parquet") if pl.read_parquet(p).height)
    rows = pl.read_parquet(victim)
    pl.concat([rows, rows.head(1).with_columns(pl.lit("x:999").alias("message_id"))]).write_parquet(victim)
    return "lake/archive_files:records_reconcile"


def _plant_message_without_author(home: Path) -> str:
    """A reader bug: a message without an author, with the file's counts adjusted so that they reconcile."""
    victim = next(p for p in (home / "lake" / "message_rows").glob("part-*.parquet") if pl.read_parquet(p).height)
    rows = pl.read_parquet(victim)
    first = rows.filter(pl.col("kind") == "post").head(1)  # a message (not a profile or repost row)
    last_position = rows.filter(pl.col("archive_sha256") == first["archive_sha256"][0])["position"].max()
    # one more record of the same file (the next position: the file's key stays unique)
    bad = first.with_columns(pl.lit("x:999").alias("message_id"), pl.lit("x:999").alias("version_id"),
                             pl.lit(None, pl.String).alias("author_id"), pl.lit(last_position + 1, rows.schema["position"]).alias("position"))
    pl.concat([rows, bad]).write_parquet(victim)
    sha = bad["archive_sha256"][0]
    record_path = home / "lake" / "archive_files" / victim.name  # a part's records have its messages' file name
    adjusted = pl.col("sha256") == sha
    pl.read_parquet(record_path).with_columns(
        pl.when(adjusted).then(pl.col(c) + 1).otherwise(pl.col(c)).alias(c) for c in ("records_read", "records_loaded")
    ).write_parquet(record_path)
    return "not_null_messages_author_id"


@pytest.mark.parametrize("plant", [_plant_stray_lake_row, _plant_message_without_author])
def test_a_bad_row_fails_the_run_and_keeps_the_previous_publication(demo_run, tmp_path, plant):
    home = demo_run.copy(tmp_path)
    before = current_version(home / "published")
    analyst_before = (home / "published" / "brandcare.duckdb").read_bytes()
    failed_check = plant(home)
    # and an account that wrote nothing: a warning whose rows a failed build names too (review:
    # they were read only when the build passed)
    brands = tmp_path / "brands.yaml"
    registry = (home / "sample" / "brands.yaml").read_text()
    brands.write_text(registry.replace("x: [telvia, ", "x: [telvia_nobody, telvia, ", 1))

    proc = run_cli(home, "run", "--quiet", check=False, brands=brands)

    assert proc.returncode != 0
    assert failed_check in proc.stderr
    if failed_check.startswith("not_null"):  # a dbt test: the build ran, and warned
        warning = proc.stderr.split("warn_brand_accounts_silent", 1)[1].splitlines()
        assert warning[1].startswith("    brand_id=telvia, ") and "telvia_nobody" in warning[1], proc.stderr
    assert "current publication stays" in proc.stderr
    assert current_version(home / "published") == before
    assert (home / "published" / "brandcare.duckdb").read_bytes() == analyst_before
