"""Write-audit-publish on real DuckDB files: versions, the atomic switch, failures, readers."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.publish import ANALYST_TABLES, PUBLISHED_TABLES, current_version, publish

CHECKS = [
    {
        "name": "brand_scorecards_suite",
        "passed": True,
        "severity": "ERROR",
        "description": "Great Expectations suite on brand_scorecards",
        "metadata": {"evaluated_expectations": 30},
    }
]


def build_warehouse(path: Path, *, extra_messages: int = 0) -> Path:
    """A tiny warehouse shaped like the dbt marts; ``unanswered_cases`` is a view, as dbt makes
    them, naming the warehouse catalog explicitly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute(
            """
            CREATE TABLE brand_scorecards AS
            SELECT * FROM (VALUES
                ('telco', 'Telco', 'telecom', 'day', DATE '2026-11-02', 'x',
                 5, 1, 4, 3, 2, 1, 2, 7, 0.667, 0.208, 0.939, 12.5, 40.0, 71.2),
                ('telco', 'Telco', 'telecom', 'day', DATE '2026-11-01', 'all',
                 9, 2, 6, 5, 5, 0, 5, 8, 1.0, 0.566, 1.0, 8.0, 15.0, 92.0),
                ('bank', 'Bank', 'finance', 'week', DATE '2026-10-26', 'bluesky',
                 2, 0, 1, 0, 0, 0, 0, 3, NULL, NULL, NULL, NULL, NULL, NULL)
            ) AS t(brand_id, brand_name, sector, period, period_start, platform,
                   mentions, amplification, cases, actionable_cases, responded_cases,
                   ignored_cases, brand_replies, brand_posts, response_rate,
                   response_rate_low, response_rate_high, median_first_response_min,
                   p90_first_response_min, care_score)
            """
        )
        con.execute(
            """
            CREATE TABLE care_cases AS
            SELECT * FROM (VALUES
                ('c3', 'telco', 'x', 'x:10', 'x:u3', 'x:13', TIMESTAMPTZ '2026-11-02 10:00:00+00',
                 'complaint', 'negative', FALSE),
                ('c1', 'telco', 'x', 'x:10', 'x:u1', 'x:11', TIMESTAMPTZ '2026-11-02 09:00:00+00',
                 'question', 'neutral', TRUE),
                ('c2', 'bank', 'bluesky', 'bluesky:20', 'bluesky:u2', 'bluesky:21',
                 TIMESTAMPTZ '2026-10-27 22:00:00+00', 'praise', 'positive', FALSE)
            ) AS t(case_id, brand_id, platform, conversation_id, customer_id,
                   opened_message_id, opened_at, intent, opening_sentiment, responded)
            """
        )
        con.execute(
            "CREATE VIEW unanswered_cases AS "
            f"SELECT *, 120 AS author_followers FROM {path.stem}.main.care_cases WHERE NOT responded"
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
            "CREATE TABLE agent_activity AS SELECT 'telvia' AS brand_id, 'x' AS platform, "
            "DATE '2026-10-01' AS month, 'JK' AS agent, 4 AS replies, 3 AS cases"
        )
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


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return build_warehouse(tmp_path / "warehouse" / "brandcare.duckdb")


def test_publish_twice_makes_two_versions_and_switches_current(tmp_path, warehouse):
    published = tmp_path / "published"
    assert current_version(published) is None

    first = publish_sample(warehouse, published)
    second = publish_sample(warehouse, published)

    assert first["version"] != second["version"]
    assert current_version(published) == second["version"]
    second_dir = published / "versions" / second["version"]
    assert (published / "current").resolve() == second_dir.resolve()
    assert sorted(p.name for p in (published / "versions").iterdir()) == sorted(
        [first["version"], second["version"]]
    )
    assert leftovers(published) == []
    assert not Path(f"{published / 'brandcare.duckdb'}.wal").exists()

    current = published / "current"
    manifest = json.loads((current / "manifest.json").read_text())
    assert manifest == second
    assert manifest["row_counts"] == {
        "brand_scorecards": 3,
        "care_cases": 3,
        "unanswered_cases": 2,
        "messages": 4,
        "archive_files": 2,
        "quarantine": 1,
        "agent_activity": 1,
    }
    assert manifest["data_horizon"] == "2026-11-02T09:13:00Z"
    assert manifest["checks"] == CHECKS
    assert manifest["created_at"].endswith("Z")
    assert (current / "report.html").read_text() == "<html><body>report</body></html>"
    assert set(manifest["files"]) == {f"{t}.parquet" for t in PUBLISHED_TABLES} | {"report.html"}
    for name, digest in manifest["files"].items():
        assert sha256_file(current / name) == digest

    # Identical data: identical rows in identical (key) order, in both versions.
    for table in PUBLISHED_TABLES:
        old_rows = table_rows(published / "versions" / first["version"] / f"{table}.parquet")
        new_rows = table_rows(current / f"{table}.parquet")
        assert old_rows == new_rows
        assert len(new_rows) == manifest["row_counts"][table]
    assert [row[0] for row in table_rows(current / "care_cases.parquet")] == ["c1", "c2", "c3"]
    assert first["files"] == second["files"]  # byte for byte, too


def test_analyst_database_holds_the_current_version(tmp_path, warehouse):
    published = tmp_path / "published"
    manifest = publish_sample(warehouse, published)

    with duckdb.connect(str(published / "brandcare.duckdb"), read_only=True) as con:
        tables = dict(
            con.execute(
                "SELECT table_name, table_type FROM information_schema.tables "
                "WHERE table_schema = 'main'"
            ).fetchall()
        )
        assert tables == {name: "BASE TABLE" for name in (*ANALYST_TABLES, "manifest")}
        comments = dict(
            con.execute("SELECT table_name, comment FROM duckdb_tables()").fetchall()
        )
        assert all(comments[name] for name in tables)
        version, data_horizon, row_counts = con.execute(
            "SELECT version, data_horizon, row_counts FROM manifest"
        ).fetchone()
        assert version == manifest["version"]
        assert data_horizon == manifest["data_horizon"]
        assert row_counts == manifest["row_counts"]
        assert con.execute("SELECT text FROM messages ORDER BY message_id").fetchone() == (
            "it's message 10",
        )


def test_prune_keeps_the_newest_versions(tmp_path, warehouse):
    published = tmp_path / "published"
    versions = [publish_sample(warehouse, published, keep_versions=2)["version"] for _ in range(4)]

    assert len(set(versions)) == 4
    assert sorted(p.name for p in (published / "versions").iterdir()) == sorted(versions[-2:])
    assert current_version(published) == versions[-1]


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
    assert sha256_file(published / "brandcare.duckdb") == analyst_before
    assert [p.name for p in (published / "versions").iterdir()] == [good["version"]]
    assert leftovers(published) == []
    assert json.loads((published / "current" / "manifest.json").read_text()) == good


def test_readers_always_see_a_complete_version_while_publishing(tmp_path, warehouse):
    published = tmp_path / "published"
    publish_sample(warehouse, published)
    analyst_db = str(published / "brandcare.duckdb")
    stop = threading.Event()
    errors: list[BaseException] = []
    seen_versions: set[str] = set()
    reads = 0

    def read_repeatedly() -> None:
        nonlocal reads
        while not stop.is_set():
            try:
                with duckdb.connect(analyst_db, read_only=True) as con:
                    version, row_counts = con.execute(
                        "SELECT version, row_counts FROM manifest"
                    ).fetchone()
                    for table in ANALYST_TABLES:
                        (count,) = con.execute(f"SELECT count(*) FROM {table}").fetchone()
                        assert count == row_counts[table], (version, table, count, row_counts)
                seen_versions.add(version)
                reads += 1
            except BaseException as error:  # noqa: BLE001 - reported by the main thread
                errors.append(error)
                return

    reader = threading.Thread(target=read_repeatedly, daemon=True)
    reader.start()
    published_versions = []
    try:
        for extra in range(1, 11):
            warehouse.unlink()
            build_warehouse(warehouse, extra_messages=extra)
            manifest = publish_sample(warehouse, published, keep_versions=3)
            assert manifest["row_counts"]["messages"] == 4 + extra
            published_versions.append(manifest["version"])
            time.sleep(0.02)  # let the reader open a few versions
    finally:
        stop.set()
        reader.join(timeout=60)

    assert not errors, errors
    assert reads > 0
    assert len(seen_versions) > 1
    assert current_version(published) == published_versions[-1]
    assert len(list((published / "versions").iterdir())) == 3
    assert leftovers(published) == []
