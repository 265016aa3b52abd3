"""Write-audit-publish on real DuckDB files: versions, the atomic switch, failures, crashes at
every step, retention and rollback, readers that pin a version."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from pipelines.publish import (
    ANALYST_TABLES,
    PUBLISHED_TABLES,
    VIEWS,
    PublicationError,
    current_version,
    list_publications,
    publish,
    rollback,
)

REPO_ROOT = Path(__file__).resolve().parents[1]

CHECKS = [
    {
        "name": "brand_scorecards_suite",
        "passed": True,
        "severity": "ERROR",
        "description": "Great Expectations suite on brand_scorecards",
        "metadata": {"evaluated_expectations": 30},
    }
]

#: Everything a version folder holds, besides the hive-partitioned scorecards.
VERSION_FILES = {
    "brand_scorecards.parquet", "care_cases.parquet", "unanswered_cases.parquet",
    "agent_activity.parquet", "data_dictionary.csv", "report.html", "brandcare.duckdb",
    "manifest.json",
}


def build_warehouse(path: Path, *, extra_messages: int = 0) -> Path:
    """A tiny warehouse shaped like the dbt marts; ``unanswered_cases`` is a view, as dbt makes
    them, naming the warehouse catalog explicitly. A few tables and columns carry comments, as
    dbt's persist_docs writes them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute(
            """
            CREATE TABLE brand_scorecards AS
            SELECT * FROM (VALUES
                ('telco', 'Telco', 'telecom', 'day', DATE '2026-11-02', 'x',
                 5, 1, 4, 3, 2, 1, 2, 7, 0.667, 0.208, 0.939, 12.5, 40.0, 71.2, TRUE),
                ('telco', 'Telco', 'telecom', 'day', DATE '2026-11-01', 'all',
                 9, 2, 6, 5, 5, 0, 5, 8, 1.0, 0.566, 1.0, 8.0, 15.0, 92.0, TRUE),
                ('telco', 'Telco', 'telecom', 'month', DATE '2026-10-01', 'all',
                 9, 2, 6, 5, 5, 0, 5, 8, 1.0, 0.566, 1.0, 8.0, 15.0, 92.0, TRUE),
                ('bank', 'Bank', 'finance', 'week', DATE '2026-10-26', 'bluesky',
                 2, 0, 1, 0, 0, 0, 0, 3, NULL, NULL, NULL, NULL, NULL, NULL, FALSE)
            ) AS t(brand_id, brand_name, sector, period, period_start, platform,
                   mentions, amplification, cases, actionable_cases, responded_cases,
                   ignored_cases, brand_replies, brand_posts, response_rate,
                   response_rate_low, response_rate_high, median_first_response_min,
                   p90_first_response_min, care_score, is_final)
            """
        )
        con.execute("ALTER TABLE brand_scorecards ADD COLUMN rank BIGINT")
        con.execute("ALTER TABLE brand_scorecards ADD COLUMN deflection_rate DOUBLE")
        con.execute("ALTER TABLE brand_scorecards ADD COLUMN equity_index DOUBLE")
        con.execute("ALTER TABLE brand_scorecards ADD COLUMN ignored_reach BIGINT")
        con.execute(
            """
            CREATE TABLE care_cases AS
            SELECT * FROM (VALUES
                ('c3', 'telco', 'x', 'x:10', 'x:u3', 'x:13', TIMESTAMPTZ '2026-11-02 10:00:00+00',
                 'complaint', 'negative', TRUE, FALSE, 150),
                ('c1', 'telco', 'x', 'x:10', 'x:u1', 'x:11', TIMESTAMPTZ '2026-11-02 09:00:00+00',
                 'question', 'neutral', TRUE, TRUE, 20),
                ('c2', 'bank', 'bluesky', 'bluesky:20', 'bluesky:u2', 'bluesky:21',
                 TIMESTAMPTZ '2026-10-27 22:00:00+00', 'praise', 'positive', FALSE, FALSE, NULL)
            ) AS t(case_id, brand_id, platform, conversation_id, customer_id,
                   opened_message_id, opened_at, intent, opening_sentiment, is_actionable,
                   responded, author_followers)
            """
        )
        con.execute(
            "CREATE VIEW unanswered_cases AS "
            f"SELECT c.*, 'Telco' AS brand_name, c.case_id AS opened_text, NULL AS opened_url, TRUE AS is_final, "
            f"'handle' AS customer_handle FROM {path.stem}.main.care_cases AS c WHERE NOT responded"
        )
        con.execute(
            """
            CREATE TABLE messages AS
            SELECT 'x:' || i AS message_id, 'x' AS platform, i::VARCHAR AS native_id,
                   'x:10' AS conversation_id, 'it''s message ' || i AS text,
                   TIMESTAMPTZ '2026-11-02 09:00:00+00' + i * INTERVAL 1 MINUTE AS created_at
            FROM range(10, 14 + ?) AS r(i)
            """,
            [extra_messages],
        )
        con.execute(
            """
            CREATE TABLE archive_files AS
            SELECT * FROM (VALUES
                ('sample/', 'x_page.json', 'aa11', 'x_api', 'loaded', NULL, 5, 4, 1),
                ('sample/', 'broken.csv', 'bb22', 'twcs', 'rejected', 'no header', 0, 0, 0)
            ) AS t(source, name, sha256, format, status, error,
                   records_read, records_loaded, records_quarantined)
            """
        )
        con.execute(
            "CREATE TABLE quarantine AS SELECT 'aa11' AS archive_sha256, 3 AS position, "
            "'missing id' AS reason, '{\"text\": \"hola\"}' AS excerpt"
        )
        con.execute(
            "CREATE TABLE agent_activity AS SELECT 'telco' AS brand_id, 'x' AS platform, "
            "DATE '2026-10-01' AS period_start, 'JK' AS agent, 4 AS replies, 3 AS cases"
        )
        con.execute(
            "CREATE TABLE brands AS SELECT * FROM (VALUES "
            "('telco', 'Telco', 'telecom', 'ES', 'Europe/Madrid', 60, TRUE, 'mon 09:00-21:00'), "
            "('bank', 'Bank', 'finance', 'MX', 'America/Mexico_City', 30, FALSE, NULL)) "
            "AS t(brand_id, brand_name, sector, country, timezone, sla_minutes, has_business_hours, business_hours)"
        )
        con.execute("COMMENT ON TABLE brands IS 'The brand registry.\n'")
        con.execute("COMMENT ON COLUMN brands.timezone IS 'IANA time zone of the brand''s\n  local periods.'")
        con.execute("COMMENT ON COLUMN brand_scorecards.care_score IS '0-100 care score.'")
    return path


def publish_sample(warehouse: Path, published: Path, **options) -> dict:
    return publish(
        warehouse,
        published,
        data_horizon="2026-11-02T09:13:00Z",
        checks=CHECKS,
        report_html="<html><body>report</body></html>",
        **options,
    )


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def table_rows(path: Path) -> list[tuple]:
    with duckdb.connect() as con:
        return con.execute("SELECT * FROM read_parquet(?)", [str(path)]).fetchall()


def leftovers(published: Path) -> list[str]:
    paths = [*published.iterdir(), *(published / "versions").iterdir()]
    return sorted(path.name for path in paths if path.name.startswith("."))


def database_version(published: Path) -> str:
    """The version the analyst database at ``published/brandcare.duckdb`` holds."""
    with duckdb.connect(str(published / "brandcare.duckdb"), read_only=True) as con:
        return con.execute("SELECT version FROM manifest").fetchone()[0]


def version_folders(published: Path) -> list[str]:
    return sorted(p.name for p in (published / "versions").iterdir())


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return build_warehouse(tmp_path / "warehouse" / "brandcare.duckdb")


def test_publish_twice_makes_two_versions_each_with_everything_a_reader_opens(tmp_path, warehouse):
    published = tmp_path / "published"
    assert current_version(published) is None

    first = publish_sample(warehouse, published)
    second = publish_sample(warehouse, published)

    assert first["version"] != second["version"]
    assert current_version(published) == second["version"]
    second_dir = published / "versions" / second["version"]
    assert (published / "current").resolve() == second_dir.resolve()
    # the analyst database follows current: a symlink through it, never a file of its own
    assert os.readlink(published / "brandcare.duckdb") == os.path.join("current", "brandcare.duckdb")
    assert (published / "brandcare.duckdb").resolve() == (second_dir / "brandcare.duckdb").resolve()
    assert database_version(published) == second["version"]
    assert version_folders(published) == sorted([first["version"], second["version"]])
    assert leftovers(published) == []
    assert not list(published.glob("*.wal")) and not list(second_dir.glob("*.wal"))

    current = published / "current"
    assert {p.name for p in current.iterdir()} == VERSION_FILES | {"brand_scorecards"}
    manifest = json.loads((current / "manifest.json").read_text())
    assert manifest == second
    assert manifest["row_counts"] == {
        "brand_scorecards": 4,
        "care_cases": 3,
        "unanswered_cases": 2,
        "agent_activity": 1,
        "brands": 2,
        "messages": 4,
        "archive_files": 2,
        "quarantine": 1,
    }
    assert manifest["data_horizon"] == "2026-11-02T09:13:00Z"
    assert manifest["checks"] == CHECKS
    assert manifest["created_at"].endswith("Z")
    assert (current / "report.html").read_text() == "<html><body>report</body></html>"
    hive_files = {p.relative_to(current).as_posix() for p in (current / "brand_scorecards").rglob("*.parquet")}
    assert hive_files == {
        "brand_scorecards/period=day/month=2026-11/data_0.parquet",
        "brand_scorecards/period=month/month=2026-10/data_0.parquet",
        "brand_scorecards/period=week/month=2026-10/data_0.parquet",
    }
    assert set(manifest["files"]) == (VERSION_FILES - {"manifest.json"}) | hive_files
    for name, digest in manifest["files"].items():
        assert sha256_file(current / name) == digest

    # Identical data: identical rows in identical (key) order, in both versions.
    for table in PUBLISHED_TABLES:
        old_rows = table_rows(published / "versions" / first["version"] / f"{table}.parquet")
        new_rows = table_rows(current / f"{table}.parquet")
        assert old_rows == new_rows
        assert len(new_rows) == manifest["row_counts"][table]
    assert [row[0] for row in table_rows(current / "care_cases.parquet")] == ["c1", "c2", "c3"]
    for table in PUBLISHED_TABLES:  # byte for byte, too
        assert first["files"][f"{table}.parquet"] == second["files"][f"{table}.parquet"]


def test_analyst_database_holds_the_version_with_the_warehouse_docs_and_views(tmp_path, warehouse):
    published = tmp_path / "published"
    settings = {"min_ranked_cases": 5, "score_weights": {"response_rate": 50.0, "speed": 50.0}}
    manifest = publish_sample(warehouse, published, settings=settings)
    assert manifest["settings"] == settings

    with duckdb.connect(str(published / "brandcare.duckdb"), read_only=True) as con:
        relations = dict(
            con.execute(
                "SELECT table_name, table_type FROM information_schema.tables "
                "WHERE table_schema = 'main'"
            ).fetchall()
        )
        assert relations == {
            **{name: "BASE TABLE" for name in (*ANALYST_TABLES, "manifest")},
            **{name: "VIEW" for name in VIEWS},
        }
        version, data_horizon, row_counts, stored_settings = con.execute(
            "SELECT version, data_horizon, row_counts, settings FROM manifest"
        ).fetchone()
        assert version == manifest["version"]
        # a timestamp, as created_at is (QA: it was text)
        assert data_horizon == datetime.fromisoformat(manifest["data_horizon"])
        assert row_counts == manifest["row_counts"]
        # which settings computed the metrics (QA: a version did not say)
        assert json.loads(stored_settings) == settings
        assert con.execute("SELECT text FROM messages ORDER BY message_id").fetchone() == (
            "it's message 10",
        )
        # the warehouse's comments (dbt persist_docs), whitespace folded; views inherit them
        comments = dict(con.execute(
            "SELECT table_name || '.' || column_name, comment FROM duckdb_columns() "
            "WHERE comment IS NOT NULL AND NOT internal"
        ).fetchall())
        assert comments["brands.timezone"] == "IANA time zone of the brand's local periods."
        assert comments["brand_scorecards.care_score"] == "0-100 care score."
        assert comments["leaderboard_latest_final_month.care_score"] == "0-100 care score."
        assert comments["hour_weekday.timezone"] == "IANA time zone of the brand's local periods."
        assert comments["manifest.version"]
        assert "messages.text" not in comments  # the warehouse has no comment for it
        table_comments = dict(con.execute(
            "SELECT table_name, comment FROM duckdb_tables() UNION ALL "
            "SELECT view_name, comment FROM duckdb_views() WHERE NOT internal"
        ).fetchall())
        assert table_comments["brands"] == "The brand registry."
        assert all(table_comments[view] for view in VIEWS)
        # the views answer, over this database's own tables
        assert con.execute("SELECT period_start, brand_id, note FROM leaderboard_latest_final_month").fetchall() == [
            (__import__("datetime").date(2026, 10, 1), "telco", "too few cases")
        ]
        assert con.execute("SELECT case_id FROM unanswered_queue_by_reach").fetchall() == [("c3",), ("c2",)]
        # 09:00 and 10:00 UTC on Monday 2026-11-02 are 10:00 and 11:00 in Madrid
        assert con.execute(
            "SELECT weekday, hour, cases, response_rate FROM hour_weekday WHERE brand_id = 'telco'"
        ).fetchall() == [(1, 10, 1, 1.0), (1, 11, 1, 0.0)]
        assert con.execute(
            "SELECT follower_band, actionable_cases, responded_cases FROM equity_by_band"
        ).fetchall() == [("<100", 1, 1), ("100-999", 1, 0)]


def test_data_dictionary_lists_every_column_with_its_type(tmp_path, warehouse):
    import csv

    published = tmp_path / "published"
    publish_sample(warehouse, published)
    with (published / "current" / "data_dictionary.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    listed = {(row["table"], row["column"]): row for row in rows}
    with duckdb.connect() as con:
        for table in PUBLISHED_TABLES:
            path = str(published / "current" / f"{table}.parquet")
            for name, data_type, *_ in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [path]).fetchall():
                row = listed.pop((table, name))
                assert (row["type"], row["parquet_file"]) == (data_type, f"{table}.parquet")
    assert listed[("brands", "timezone")]["definition"] == "IANA time zone of the brand's local periods."
    assert {row["kind"] for key, row in listed.items() if key[0] in VIEWS} == {"view"}


def test_rollback_switches_current_and_the_database_and_list_shows_it(tmp_path, warehouse):
    published = tmp_path / "published"
    versions = [publish_sample(warehouse, published)["version"] for _ in range(3)]

    listed = list_publications(published)
    assert [entry["version"] for entry in listed] == versions[::-1]
    assert [entry["current"] for entry in listed] == [True, False, False]
    assert all(entry["last_made_current_at"] for entry in listed)
    assert listed[0]["row_counts"]["care_cases"] == 3
    assert (listed[0]["checks_passed"], listed[0]["checks_total"]) == (1, 1)

    manifest = rollback(published, versions[0])
    assert manifest["version"] == versions[0]
    assert current_version(published) == versions[0]
    assert database_version(published) == versions[0]
    assert [entry["current"] for entry in list_publications(published)] == [False, False, True]

    with pytest.raises(PublicationError, match="no complete published version"):
        rollback(published, "20990101T000000Z-abcdef")
    with pytest.raises(PublicationError):
        rollback(published, "../versions")
    assert current_version(published) == versions[0]


def test_a_rollback_waits_for_a_publishs_switch_and_never_makes_a_pruned_version_current(tmp_path, warehouse):
    """QA: a rollback during a publish made current the version the publish's pruning then
    removed: current pointed at nothing and every reader failed. A switch (a publish's switch,
    history and pruning, or a rollback) waits for the one under way."""
    import threading
    import time

    from pipelines.publish import _switching

    published = tmp_path / "published"
    versions = [publish_sample(warehouse, published)["version"] for _ in range(3)]
    switching, done = threading.Event(), threading.Event()

    def publish_pruning_the_oldest() -> None:
        with _switching(published):
            switching.set()
            time.sleep(0.5)
            shutil.rmtree(published / "versions" / versions[0])
        done.set()

    thread = threading.Thread(target=publish_pruning_the_oldest)
    thread.start()
    switching.wait()
    with pytest.raises(PublicationError, match="was removed by a publish meanwhile"):
        rollback(published, versions[0])
    thread.join()
    assert done.is_set() and current_version(published) == versions[-1]
    assert database_version(published) == versions[-1]


def test_prune_keeps_the_last_published_versions_and_the_current_one(tmp_path, warehouse):
    published = tmp_path / "published"
    versions = [publish_sample(warehouse, published, keep_versions=2)["version"] for _ in range(4)]

    assert len(set(versions)) == 4
    assert version_folders(published) == sorted(versions[-2:])
    assert current_version(published) == versions[-1]

    # rolled back to the older one, it is kept (and counts among the last published) ...
    rollback(published, versions[-2])
    fifth = publish_sample(warehouse, published, keep_versions=2)["version"]
    assert version_folders(published) == sorted([versions[-2], fifth])


def test_prune_never_removes_the_current_version(tmp_path, warehouse):
    from pipelines.publish import _prune

    published = tmp_path / "published"
    first, _second, third = (publish_sample(warehouse, published)["version"] for _ in range(3))
    rollback(published, first)
    # a crash right after the switch: the history does not say yet that first is current again
    history = published / "publications.jsonl"
    history.write_text("".join(history.read_text().splitlines(keepends=True)[:-1]))

    _prune(published.resolve(), 1)

    assert current_version(published) == first
    assert version_folders(published) == sorted([first, third])


def test_folders_that_never_became_current_and_temp_files_go_at_the_next_publish(tmp_path, warehouse):
    published = tmp_path / "published"
    kept = publish_sample(warehouse, published)["version"]
    # what crashed publishes leave: a version renamed into place but never switched to, a
    # half-written staging folder, a temp symlink
    orphan = published / "versions" / "20261101T000000Z-0rphan"
    shutil.copytree(published / "versions" / kept, orphan)
    manifest = json.loads((orphan / "manifest.json").read_text())
    (orphan / "manifest.json").write_text(json.dumps({**manifest, "version": orphan.name}))
    (published / "versions" / ".tmp-20261101T000000000000Z-deadbeef").mkdir()
    os.symlink("versions/x", published / ".tmp-current-deadbeef")
    assert "20261101T000000Z-0rphan" in [e["version"] for e in list_publications(published)]
    assert [e["last_made_current_at"] for e in list_publications(published) if e["version"] == orphan.name] == [None]

    new = publish_sample(warehouse, published, keep_versions=5)["version"]

    assert version_folders(published) == sorted([kept, new])
    assert leftovers(published) == []


@pytest.mark.parametrize("option", [0, -1])
def test_keep_versions_must_be_positive(tmp_path, warehouse, option):
    with pytest.raises(ValueError, match="keep_versions"):
        publish_sample(warehouse, tmp_path / "published", keep_versions=option)


def _drop_messages(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DROP TABLE messages")


def _break_scorecard_key(con: duckdb.DuckDBPyConnection) -> None:
    # Fails while exporting Parquet.
    con.execute("ALTER TABLE brand_scorecards RENAME COLUMN period_start TO starts")


def _break_quarantine_key(con: duckdb.DuckDBPyConnection) -> None:
    # Fails later, while building the analyst database.
    con.execute("ALTER TABLE quarantine RENAME COLUMN position TO pos")


@pytest.mark.parametrize(
    "break_warehouse", [_drop_messages, _break_scorecard_key, _break_quarantine_key]
)
def test_failed_publish_leaves_the_current_version(tmp_path, warehouse, break_warehouse):
    published = tmp_path / "published"
    good = publish_sample(warehouse, published)
    analyst_before = sha256_file(published / "brandcare.duckdb")

    with duckdb.connect(str(warehouse)) as con:
        break_warehouse(con)
    with pytest.raises(duckdb.Error if break_warehouse is not _drop_messages else LookupError):
        publish_sample(warehouse, published)

    assert current_version(published) == good["version"]
    assert database_version(published) == good["version"]
    assert sha256_file(published / "brandcare.duckdb") == analyst_before
    assert version_folders(published) == [good["version"]]
    assert leftovers(published) == []
    assert json.loads((published / "current" / "manifest.json").read_text()) == good


def test_a_folder_of_the_old_layout_moves_its_database_into_the_current_version(tmp_path, warehouse):
    published = tmp_path / "published"
    older = publish_sample(warehouse, published)["version"]
    old = publish_sample(warehouse, published)["version"]
    # the old layout: a real database file beside current, none in the version folders, no history
    (published / "brandcare.duckdb").unlink()
    shutil.move(published / "versions" / old / "brandcare.duckdb", published / "brandcare.duckdb")
    (published / "versions" / older / "brandcare.duckdb").unlink()
    (published / "publications.jsonl").unlink()

    new = publish_sample(warehouse, published)["version"]

    assert (published / "brandcare.duckdb").is_symlink()
    assert database_version(published) == new
    assert (published / "versions" / old / "brandcare.duckdb").is_file()
    # the earlier versions count as published (kept), in the order they were created
    assert version_folders(published) == sorted([older, old, new])
    assert [e["version"] for e in list_publications(published)] == [new, old, older]
    assert all(e["last_made_current_at"] for e in list_publications(published))
    rollback(published, old)
    assert database_version(published) == old


# --------------------------------------------------------------------------- crashes at every step

#: Runs one publish in a child process that SIGKILLs itself right before its N-th change to the
#: file system (N from argv; 0 = never), and prints how many changes it made.
_CRASHING_PUBLISH = textwrap.dedent(
    """
    import json, os, shutil, signal, sys
    from pathlib import Path
    import pipelines.publish as publish_module

    kill_at = int(sys.argv[3])
    steps = 0
    inside = False  # a removal of a whole folder is one step

    def counted(function):
        def wrapper(*args, **kwargs):
            global steps, inside
            if inside:
                return function(*args, **kwargs)
            steps += 1
            if steps == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            inside = True
            try:
                return function(*args, **kwargs)
            finally:
                inside = False
        return wrapper

    for name in ("mkdir", "rename", "replace", "symlink", "link", "unlink", "rmdir", "write"):
        setattr(os, name, counted(getattr(os, name)))
    shutil.rmtree = counted(shutil.rmtree)
    publish_module.publish(
        Path(sys.argv[1]), Path(sys.argv[2]), data_horizon=None, checks=[],
        report_html="<html></html>", keep_versions=1,
    )
    print(json.dumps({"steps": steps}))
    """
)


def _run_crashing_publish(warehouse: Path, published: Path, kill_at: int) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(
        [sys.executable, "-c", _CRASHING_PUBLISH, str(warehouse), str(published), str(kill_at)],
        check=False, capture_output=True, text=True, timeout=120, env=env, cwd=REPO_ROOT,
    )


@pytest.mark.parametrize("layout", ["versioned", "old"])
def test_a_kill_at_any_step_of_publish_leaves_current_and_the_database_on_one_version(
    tmp_path, warehouse, layout
):
    baseline = tmp_path / "baseline"
    publish_sample(warehouse, baseline)
    old = publish_sample(warehouse, baseline)["version"]  # two versions: pruning has work
    if layout == "old":  # the database a real file beside current, as before versioned databases
        (baseline / "brandcare.duckdb").unlink()
        shutil.move(baseline / "versions" / old / "brandcare.duckdb", baseline / "brandcare.duckdb")

    shutil.copytree(baseline, tmp_path / "count", symlinks=True)
    counting = _run_crashing_publish(warehouse, tmp_path / "count", 0)
    assert counting.returncode == 0, counting.stderr
    steps = json.loads(counting.stdout)["steps"]
    # staging, rename, temp symlink and rename (and for the old layout: the database's link
    # into its version, its symlink and rename), history, pruning
    assert steps >= (7 if layout == "versioned" else 10), steps

    outcomes = []
    for kill_at in range(1, steps + 1):
        published = tmp_path / f"kill-{kill_at}"
        shutil.copytree(baseline, published, symlinks=True)
        proc = _run_crashing_publish(warehouse, published, kill_at)
        assert proc.returncode == -9, (kill_at, proc.stderr)

        version = current_version(published)
        assert version is not None, kill_at
        outcomes.append(version == old)
        # one version for everything a reader opens
        assert database_version(published) == version, kill_at
        pinned = Path(os.path.realpath(published / "current"))
        assert json.loads((pinned / "manifest.json").read_text())["version"] == version, kill_at
        for table in PUBLISHED_TABLES:
            assert (pinned / f"{table}.parquet").is_file(), (kill_at, table)

        # the next publish completes and removes what the crash left behind
        after = publish_sample(warehouse, published, keep_versions=1)["version"]
        assert current_version(published) == after and database_version(published) == after
        assert leftovers(published) == [], kill_at
        assert version_folders(published) == [after], kill_at
    # the kills hit both sides of the switch
    assert True in outcomes and False in outcomes


# --------------------------------------------------------------------------- readers

#: A reader process: pins the version as the README says (resolve current once, open every file
#: under that folder), checks that everything it opened is that version, until ``stop`` exists.
_PINNING_READER = textwrap.dedent(
    """
    import json, os, sys, time
    import duckdb

    published, stop = sys.argv[1], sys.argv[2]
    reads, errors, mixtures, versions = 0, [], 0, set()
    while not os.path.exists(stop) or reads == 0:
        try:
            pinned = os.path.realpath(os.path.join(published, "current"))
            with open(os.path.join(pinned, "manifest.json")) as handle:
                manifest = json.load(handle)
            with duckdb.connect(os.path.join(pinned, "brandcare.duckdb"), read_only=True) as con:
                version, counts = con.execute("SELECT version, row_counts FROM manifest").fetchone()
                messages = con.execute("SELECT count(*) FROM messages").fetchone()[0]
                parquet = con.execute(
                    "SELECT count(*) FROM read_parquet(?)", [os.path.join(pinned, "care_cases.parquet")]
                ).fetchone()[0]
            same = (version == manifest["version"] == os.path.basename(pinned)
                    and messages == counts["messages"] == manifest["row_counts"]["messages"]
                    and parquet == manifest["row_counts"]["care_cases"])
            mixtures += not same
            versions.add(version)
            reads += 1
        except Exception as error:
            errors.append(repr(error))
            time.sleep(0.01)
    print(json.dumps({"reads": reads, "errors": errors, "mixtures": mixtures, "versions": sorted(versions)}))
    """
)


def test_readers_that_pin_the_version_never_fail_nor_mix_versions(tmp_path, warehouse):
    published = tmp_path / "published"
    publish_sample(warehouse, published, keep_versions=3)
    stop = tmp_path / "stop"
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", _PINNING_READER, str(published), str(stop)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for _ in range(3)
    ]
    published_versions = []
    try:
        time.sleep(1.0)  # the readers are up
        for extra in range(1, 7):
            warehouse.unlink()
            build_warehouse(warehouse, extra_messages=extra)
            manifest = publish_sample(warehouse, published, keep_versions=3)
            assert manifest["row_counts"]["messages"] == 4 + extra
            published_versions.append(manifest["version"])
            time.sleep(0.1)
    finally:
        stop.touch()
        results = [json.loads(reader.communicate(timeout=60)[0]) for reader in readers]

    assert len(published_versions) >= 5
    for result in results:
        assert result["errors"] == [] and result["mixtures"] == 0, result
        assert result["reads"] > 0
    assert len({v for result in results for v in result["versions"]}) > 1
    assert current_version(published) == published_versions[-1]
    assert len(version_folders(published)) == 3
    assert leftovers(published) == []


def test_the_leaderboard_is_the_latest_final_month_that_holds_cases_and_ranks():
    """A brand's own posts make months of scorecard rows without a single case (a real home: a
    personal X archive running two years past the last case); such a month ranks nothing, nor
    does a later month of a few stray cases when an earlier final month ranks brands."""
    with duckdb.connect() as con:
        con.execute("""
            CREATE TABLE brand_scorecards AS SELECT * FROM (VALUES
                ('a', DATE '2025-05-01', 4, 2, TRUE), ('b', DATE '2025-05-01', 1, NULL, TRUE),
                ('a', DATE '2026-01-01', 0, NULL, TRUE), ('b', DATE '2026-01-01', 0, NULL, TRUE),
                ('a', DATE '2026-02-01', 3, 1, FALSE), ('b', DATE '2026-02-01', 0, NULL, TRUE)
            ) AS t(brand_id, period_start, actionable_cases, rank, is_final)
        """)
        con.execute("""
            CREATE TABLE board AS SELECT brand_id, 'Brand ' || brand_id AS brand_name, 'x' AS sector,
                'month' AS period, 'all' AS platform, period_start, actionable_cases, rank, is_final,
                NULL::DOUBLE AS care_score, NULL::DOUBLE AS response_rate, NULL::DOUBLE AS response_rate_low,
                NULL::DOUBLE AS response_rate_high, NULL::DOUBLE AS median_first_response_min,
                NULL::DOUBLE AS deflection_rate, NULL::DOUBLE AS equity_index, 0 AS ignored_cases,
                0 AS ignored_reach
            FROM brand_scorecards
        """)
        con.execute("DROP TABLE brand_scorecards")
        con.execute("ALTER TABLE board RENAME TO brand_scorecards")
        rows = con.execute(VIEWS["leaderboard_latest_final_month"][1]).fetchall()
        # January 2026 is final for both but holds no case; February is not final for 'a'
        assert {(r[0].isoformat(), r[2]) for r in rows} == {("2025-05-01", "a"), ("2025-05-01", "b")}
        # a final month of two stray cases, no brand ranked, after it: passed over (an archive that
        # ends a few hours into a month in the brands' time zone, QA)
        con.execute("INSERT INTO brand_scorecards SELECT * REPLACE (DATE '2025-12-01' AS period_start, 1 AS "
                    "actionable_cases, NULL AS rank) FROM brand_scorecards WHERE period_start = '2025-05-01'")
        rows = con.execute(VIEWS["leaderboard_latest_final_month"][1]).fetchall()
        assert {r[0].isoformat() for r in rows} == {"2025-05-01"}
        # without a ranked brand in any final month, the latest final month holding cases
        con.execute("UPDATE brand_scorecards SET rank = NULL")
        rows = con.execute(VIEWS["leaderboard_latest_final_month"][1]).fetchall()
        assert {(r[0].isoformat(), r[6]) for r in rows} == {("2025-12-01", "too few cases")}


def test_every_published_parquet_column_is_nullable_whatever_the_data(tmp_path, warehouse):
    """DuckDB marked a column required when this build's data held no NULL in it (QA: sector,
    agent, median_first_response_min changed from one home or version to the next), so a BI
    tool that fixed its schema from one file met NULLs in the next one."""
    import pyarrow.parquet as pq

    current = tmp_path / "published" / "versions" / publish_sample(warehouse, tmp_path / "published")["version"]
    files = [current / f"{table}.parquet" for table in PUBLISHED_TABLES]
    files += sorted((current / "brand_scorecards").rglob("*.parquet"))
    required = {f"{path.name}:{field.name}" for path in files for field in pq.read_schema(path) if not field.nullable}
    assert required == set()
