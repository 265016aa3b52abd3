"""The analyst database and the BI exports of a real run (the demo: sample -> ingest -> Dagster
run -> dbt build -> checks -> publish): comments, the brands table, views, contracted Parquet
types read back by DuckDB, Polars and PyArrow, the hive-partitioned copy, the data dictionary."""

from __future__ import annotations

import csv
import json
import shutil
import threading
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
import yaml

from pipelines.publish import PUBLISHED_TABLES, VIEWS, current_version, publish

MARTS_DIR = Path(__file__).resolve().parents[1] / "dbt_project" / "models" / "marts"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: dbt contract data types (as the marts' YAML writes them) -> what each reader must give back.
CONTRACT_TYPES = {
    "varchar": ("VARCHAR", pa.string(), pl.String),
    "bigint": ("BIGINT", pa.int64(), pl.Int64),
    "double": ("DOUBLE", pa.float64(), pl.Float64),
    "date": ("DATE", pa.date32(), pl.Date),
    "boolean": ("BOOLEAN", pa.bool_(), pl.Boolean),
    "timestamptz": ("TIMESTAMP WITH TIME ZONE", pa.timestamp("us", tz="UTC"), pl.Datetime("us", "UTC")),
}


def contracts() -> dict[str, list[tuple[str, str]]]:
    """Model -> [(column, contracted type)] of every published mart with an enforced contract,
    read from the marts' YAML (the contract dbt enforces when it builds them)."""
    found: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(MARTS_DIR.glob("_*.yml")):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            contract = (model.get("config") or {}).get("contract") or {}
            if contract.get("enforced"):
                found[model["name"]] = [(c["name"], c["data_type"].lower()) for c in model["columns"]]
    return found


@pytest.fixture(scope="module")
def current(demo_run) -> Path:
    return demo_run.home / "published" / "current"


@pytest.fixture(scope="module")
def analyst(demo_run):
    with duckdb.connect(str(demo_run.home / "published" / "brandcare.duckdb"), read_only=True) as con:
        yield con


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_every_table_view_and_column_has_a_comment(analyst):
    relations = rows(analyst, """
        SELECT table_name AS name, comment FROM duckdb_tables() WHERE NOT internal
        UNION ALL SELECT view_name, comment FROM duckdb_views() WHERE NOT internal""")
    assert {r["name"] for r in relations} >= {*PUBLISHED_TABLES, "brands", "manifest", *VIEWS}
    assert [r["name"] for r in relations if not (r["comment"] or "").strip()] == []
    columns = rows(analyst, """
        SELECT table_name || '.' || column_name AS name, comment FROM duckdb_columns()
        WHERE NOT internal AND schema_name = 'main'""")
    assert len(columns) > 150
    assert [c["name"] for c in columns if not (c["comment"] or "").strip()] == []


def _registry_hours(business_hours: dict | None) -> str | None:
    """The registry's business hours as the brands table spells them ("mon 09:00-21:00; ...")."""
    if business_hours is None:
        return None
    per_day: dict[str, str] = {}
    for key, ranges in business_hours.items():
        first, _, last = key.partition("-")
        days = WEEKDAYS[WEEKDAYS.index(first): WEEKDAYS.index(last or first) + 1]
        for day in days:
            per_day[day] = ",".join(sorted(part.strip() for part in ranges.split(",")))
    return "; ".join(f"{day} {per_day[day]}" for day in WEEKDAYS if day in per_day)


def test_brands_table_is_the_registry(demo_run, analyst):
    registry = yaml.safe_load((demo_run.home / "sample" / "brands.yaml").read_text())["brands"]
    expected = {
        brand["id"]: {
            "brand_name": brand["name"],
            "sector": brand.get("sector"),
            "country": brand.get("country"),
            "timezone": brand["timezone"],
            "sla_minutes": brand.get("sla_minutes", 60),
            "has_business_hours": "business_hours" in brand,
            "business_hours": _registry_hours(brand.get("business_hours")),
            "holidays": sorted(date.fromisoformat(str(day)) for day in brand.get("holidays", [])),
        }
        for brand in registry
    }
    published = {r.pop("brand_id"): r for r in rows(analyst, "SELECT * FROM brands")}
    assert published == expected


def test_unanswered_cases_name_their_brand(analyst):
    mismatched = analyst.execute("""
        SELECT count(*) FROM unanswered_cases AS u JOIN brands AS b USING (brand_id)
        WHERE u.brand_name IS DISTINCT FROM b.brand_name""").fetchone()[0]
    assert mismatched == 0
    assert analyst.execute("SELECT count(*) FROM unanswered_cases WHERE brand_name IS NULL").fetchone()[0] == 0


def test_leaderboard_is_the_latest_month_final_for_every_brand(analyst):
    board = rows(analyst, "SELECT * FROM leaderboard_latest_final_month")
    assert board, "the demo holds a final month"
    months = rows(analyst, """
        SELECT period_start, bool_and(is_final) AS final FROM brand_scorecards
        WHERE period = 'month' AND platform = 'all' GROUP BY period_start ORDER BY period_start""")
    latest_final = max(m["period_start"] for m in months if m["final"])
    assert {r["period_start"] for r in board} == {latest_final}
    brands = analyst.execute("""
        SELECT count(*) FROM brand_scorecards
        WHERE period = 'month' AND platform = 'all' AND period_start = ?""", [latest_final]).fetchone()[0]
    assert len(board) == brands
    ranked = [r["rank"] for r in board if r["rank"] is not None]
    assert ranked == sorted(ranked) and ranked[:1] == [1]
    assert all((r["rank"] is None) == (r["note"] == "too few cases") for r in board)
    assert all(r["rank"] is None for r in board[len(ranked):])


def test_brand_trend_has_every_brand_month(analyst):
    trend = rows(analyst, "SELECT brand_id, period_start, response_rate FROM brand_trend")
    months = analyst.execute("""
        SELECT count(*) FROM brand_scorecards WHERE period = 'month' AND platform = 'all'""").fetchone()[0]
    assert len(trend) == months > 0
    assert trend == sorted(trend, key=lambda r: (r["brand_id"], r["period_start"]))


def test_unanswered_queue_is_widest_reach_first(analyst):
    queue = [r[0] for r in analyst.execute("SELECT author_followers FROM unanswered_queue_by_reach").fetchall()]
    assert len(queue) == analyst.execute("SELECT count(*) FROM unanswered_cases").fetchone()[0] > 0
    known = [f for f in queue if f is not None]
    assert known == sorted(known, reverse=True) and queue[: len(known)] == known


def test_equity_by_band_recounts_the_cases(analyst):
    cases = rows(analyst, "SELECT brand_id, author_followers, is_actionable, responded FROM care_cases")
    bounds = (100, 1000, 10000, 100000)
    expected: Counter = Counter()
    for case in cases:
        if case["author_followers"] is None or not case["is_actionable"]:
            continue
        band = sum(case["author_followers"] >= bound for bound in bounds)
        expected[(case["brand_id"], band, "actionable")] += 1
        expected[(case["brand_id"], band, "responded")] += bool(case["responded"])
    view = rows(analyst, "SELECT * FROM equity_by_band")
    assert view
    for r in view:
        assert r["actionable_cases"] == expected[(r["brand_id"], r["band_order"], "actionable")]
        assert r["responded_cases"] == expected[(r["brand_id"], r["band_order"], "responded")]
    assert sum(r["actionable_cases"] for r in view) == sum(v for k, v in expected.items() if k[2] == "actionable")


def test_hour_weekday_is_in_each_brands_time_zone(analyst):
    zones = dict(analyst.execute("SELECT brand_id, timezone FROM brands").fetchall())
    expected: Counter = Counter()
    for brand_id, opened_at in analyst.execute("SELECT brand_id, opened_at FROM care_cases").fetchall():
        local = opened_at.astimezone(ZoneInfo(zones[brand_id]))
        expected[(brand_id, local.isoweekday(), local.hour)] += 1
    view = {(r[0], r[1], r[2]): r[3] for r in analyst.execute(
        "SELECT brand_id, weekday, hour, cases FROM hour_weekday").fetchall()}
    assert view == dict(expected)
    # the zones differ: the same UTC hour lands on different local hours
    assert len(set(zones.values())) > 1


def test_parquet_exports_read_back_with_the_contracted_types(current):
    contracted = contracts()
    assert {"brand_scorecards", "agent_activity"} <= set(contracted)
    for model, columns in contracted.items():
        if model not in PUBLISHED_TABLES:
            continue
        path = current / f"{model}.parquet"
        names = [name for name, _ in columns]
        with duckdb.connect() as con:
            described = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
        assert [(name, kind) for name, kind, *_ in described] == [
            (name, CONTRACT_TYPES[kind][0]) for name, kind in columns
        ], model
        schema = pq.read_schema(path)
        assert schema.names == names and [schema.field(n).type for n in names] == [
            CONTRACT_TYPES[kind][1] for _, kind in columns
        ], model
        frame = pl.read_parquet(path)
        assert list(frame.schema.items()) == [(name, CONTRACT_TYPES[kind][2]) for name, kind in columns], model
        assert frame.height > 0


def _files_read(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> int:
    con.execute("PRAGMA enable_profiling = 'json'")
    profile = json.loads(con.execute(f"EXPLAIN ANALYZE {sql}", params).fetchall()[0][1])

    def scans(node: dict):
        if node.get("name") == "READ_PARQUET" or node.get("extra_info", {}).get("Function") == "READ_PARQUET":
            yield node
        for child in node.get("children", []):
            yield from scans(child)

    found = [scan for operator in profile["operator"] for scan in scans(operator)]
    assert len(found) == 1
    return int(found[0]["extra_info"]["Total Files Read"])


def test_hive_copy_holds_the_scorecards_and_a_month_filter_reads_only_that_month(current):
    hive = str(current / "brand_scorecards" / "**" / "*.parquet")
    flat = str(current / "brand_scorecards.parquet")
    with duckdb.connect() as con:
        files = len(list((current / "brand_scorecards").rglob("*.parquet")))
        assert files > 3
        copied = con.execute(
            "SELECT * EXCLUDE (month) FROM read_parquet(?, hive_partitioning = true) "
            "ORDER BY brand_id, period, period_start, platform", [hive]).fetchall()
        original = con.execute(
            "SELECT * FROM read_parquet(?) ORDER BY brand_id, period, period_start, platform",
            [flat]).fetchall()
        assert {tuple(sorted(map(str, row))) for row in copied} == {tuple(sorted(map(str, row))) for row in original}
        assert len(copied) == len(original)
        month = con.execute(
            "SELECT strftime(max(period_start), '%Y-%m') FROM read_parquet(?) WHERE period = 'month'",
            [flat]).fetchone()[0]
        query = ("SELECT brand_id, care_score FROM read_parquet(?, hive_partitioning = true) "
                 "WHERE period = 'month' AND month = ?")
        assert _files_read(con, query, [hive, month]) == 1
        assert _files_read(con, "SELECT brand_id FROM read_parquet(?, hive_partitioning = true)", [hive]) == files
    # Polars and PyArrow prune the same partitions
    scanned = pl.scan_parquet(hive, hive_partitioning=True).filter(
        (pl.col("period") == "month") & (pl.col("month") == month)).collect()
    dataset = ds.dataset(current / "brand_scorecards", format="parquet", partitioning="hive")
    fragments = list(dataset.get_fragments(filter=(pc.field("period") == "month") & (pc.field("month") == month)))
    assert len(fragments) == 1
    assert scanned.height == fragments[0].count_rows() > 0


def test_data_dictionary_defines_every_published_column(current):
    with (current / "data_dictionary.csv").open(newline="", encoding="utf-8") as handle:
        dictionary = {(r["table"], r["column"]): r for r in csv.DictReader(handle)}
    for table in PUBLISHED_TABLES:
        schema = pq.read_schema(current / f"{table}.parquet")
        for name in schema.names:
            entry = dictionary[(table, name)]
            assert entry["definition"].strip(), (table, name)
            assert entry["parquet_file"] == f"{table}.parquet"
    assert all(entry["type"] and entry["definition"].strip() for entry in dictionary.values())


def test_the_database_opens_read_only_while_a_publish_happens(demo_run, tmp_path):
    published = tmp_path / "published"
    shutil.copytree(demo_run.home / "published", published, symlinks=True)
    warehouse = demo_run.home / "warehouse" / "brandcare.duckdb"
    stop = threading.Event()
    errors: list[BaseException] = []
    seen: set[str] = set()

    def read() -> None:
        while not stop.is_set() or not seen:
            try:
                with duckdb.connect(str(published / "brandcare.duckdb"), read_only=True) as con:
                    seen.add(con.execute("SELECT version FROM manifest").fetchone()[0])
                    con.execute("SELECT count(*) FROM hour_weekday").fetchone()
            except BaseException as error:  # noqa: BLE001 - reported by the main thread
                errors.append(error)
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        for _ in range(2):
            publish(warehouse, published, data_horizon=datetime.now(UTC).isoformat(), checks=[],
                    report_html="<html></html>")
    finally:
        stop.set()
        reader.join(timeout=120)
    assert not errors, errors
    assert seen  # it opened the database (read-only) while the publishes ran


# --------------------------------------------------------------------------- the CLI over it


def test_sql_answers_read_only_and_refuses_writes(demo_run):
    from support import run_cli

    proc = run_cli(demo_run.home, "sql", "select brand_id, timezone from brands order by brand_id", "--csv")
    lines = proc.stdout.strip().splitlines()
    assert lines[0] == "brand_id,timezone" and "telvia,Europe/Madrid" in lines
    shown = run_cli(demo_run.home, "sql", "select count(*) as n from hour_weekday")
    assert "n" in shown.stdout
    refused = run_cli(demo_run.home, "sql", "create table scratch as select 1", check=False)
    assert refused.returncode == 1 and "read-only" in refused.stderr.lower()
    broken = run_cli(demo_run.home, "sql", "select * from no_such_table", check=False)
    assert broken.returncode != 0 and "no_such_table" in broken.stderr
    # several statements: refused, not the last one's result alone (QA)
    several = run_cli(demo_run.home, "sql", "select 1 as a; select 2 as b", "--csv", check=False)
    assert several.returncode == 2 and "one SQL statement" in several.stderr and several.stdout == ""
    for nothing in ("", "   ", "-- a comment"):  # printed nothing, exit 0 (QA)
        empty = run_cli(demo_run.home, "sql", nothing, check=False)
        assert empty.returncode == 2 and "(none was given)" in empty.stderr, nothing
    # DuckDB's CSV, as DuckDB reads it back: it was Python's (CRLF, True, ['a']); an id taken with
    # $(... | tail -1) kept its \r and matched nothing (QA)
    typed = run_cli(demo_run.home, "sql", "select true as ok, ['a', 'b'] as ids, timestamptz '2026-10-01 10:00:00+00' "
                    "as at, 'x,y' as text", "--csv")
    assert typed.stdout == 'ok,ids,at,text\ntrue,"[a, b]",2026-10-01 10:00:00+00,"x,y"\n'
    # read-only beyond the database too (QA: COPY wrote a file anywhere, read_csv read /etc/passwd)
    outside = demo_run.home.parent / "copied.csv"
    for query in (f"copy (select 1) to '{outside}'", "select * from read_csv('/etc/hostname')", "install httpfs",
                  "set enable_external_access = true"):
        refused = run_cli(demo_run.home, "sql", query, check=False)
        assert refused.returncode == 1 and refused.stderr.startswith("error: "), query
    assert not outside.exists()
    # a file or an extension refused says what to do instead (QA: bi.md shows read_parquet, and
    # DuckDB's "file system operations are disabled by configuration" was all a user got)
    parquet = demo_run.home / "published" / "current" / "care_cases.parquet"
    for query in (f"select count(*) from read_parquet('{parquet}')", "install httpfs"):
        refused = run_cli(demo_run.home, "sql", query, check=False)
        assert "Read the Parquet files with DuckDB itself" in refused.stderr, refused.stderr


def test_shell_opens_the_current_database_read_only(demo_run):
    import subprocess
    import sys

    script = Path(sys.executable).with_name("brandcare")
    env = {"PATH": "/usr/bin:/bin", "BRANDCARE_HOME": str(demo_run.home), "HOME": str(demo_run.home)}
    proc = subprocess.run(
        [str(script), "shell"], input="print('brands', con.execute('select count(*) from brands').fetchone()[0])\n",
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "brands 6" in proc.stdout
    assert "opened read-only" in proc.stderr + proc.stdout


def test_publications_and_rollback_commands(demo_run, tmp_path):
    from support import run_cli

    home = tmp_path / "home"
    shutil.copytree(demo_run.home / "published", home / "published", symlinks=True)
    first = current_version(home / "published")
    second = publish(demo_run.home / "warehouse" / "brandcare.duckdb", home / "published",
                     data_horizon=None, checks=[], report_html="<html></html>")["version"]

    listed = run_cli(home, "publications").stdout
    assert f"* {second}" in listed and f"  {first}" in listed

    proc = run_cli(home, "rollback", first)
    assert first in proc.stdout
    assert current_version(home / "published") == first
    with duckdb.connect(str(home / "published" / "brandcare.duckdb"), read_only=True) as con:
        assert con.execute("select version from manifest").fetchone()[0] == first
    assert f"* {first}" in run_cli(home, "publications").stdout

    unknown = run_cli(home, "rollback", "20990101T000000Z-ffffff", check=False)
    assert unknown.returncode != 0 and "no complete published version" in unknown.stderr
    assert current_version(home / "published") == first
