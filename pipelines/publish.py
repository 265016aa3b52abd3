"""Write-audit-publish of the published outputs (docs/design.md#write-audit-publish).

One publish writes a new immutable folder ``published/versions/<version>/`` holding
everything a reader opens: the Parquet exports, the hive-partitioned copy of the scorecards,
``data_dictionary.csv``, ``report.html``, ``manifest.json`` and the analyst database
``brandcare.duckdb``. Then one ``os.replace`` of the symlink ``published/current`` makes it
current. ``published/brandcare.duckdb`` is a symlink to ``current/brandcare.duckdb``, so the
database follows ``current`` in that same switch: a crash at any point leaves ``current`` and
the database on one version (the old one or the new one), never a mixture and never nothing.

Layout below ``published_dir``::

    current -> versions/<version>         symlink, replaced atomically
    brandcare.duckdb -> current/brandcare.duckdb
    publications.jsonl                    one line each time a version was made current
    versions/<version>/                   brand_scorecards.parquet, care_cases.parquet,
                                          unanswered_cases.parquet, agent_activity.parquet,
                                          brand_scorecards/period=<p>/month=<YYYY-MM>/*.parquet,
                                          data_dictionary.csv, report.html, brandcare.duckdb,
                                          manifest.json

A reader pins one version by resolving ``current`` once (``os.path.realpath``) and opening
every file under that folder (:func:`pinned_version_dir`). Pruning keeps the
``keep_versions`` versions most recently made current (by a publish or a rollback), the current
one among them, and removes the others and folders that never became current (a crash between
writing and switching).

The pipeline is the only writer of ``published_dir`` (one publish or rollback at a time), which
is what lets a publish remove the temp files a crashed publish left behind. Plain Python with
no Dagster import: the pipeline, the CLI and tests call it directly.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.locks import held_flock
from pipelines.settings import connect_duckdb

#: Exported as Parquet into every version folder (what BI tools read).
PUBLISHED_TABLES: tuple[str, ...] = (
    "brand_scorecards", "care_cases", "unanswered_cases", "agent_activity",
)
#: Copied as real tables into the analyst database.
ANALYST_TABLES: tuple[str, ...] = PUBLISHED_TABLES + ("brands", "messages", "archive_files", "quarantine")

#: The order rows are written in (a total order, ending in each table's key), so identical data
#: gives identical files; unanswered cases come newest first, then widest reach.
TABLE_ORDER: dict[str, str] = {
    "unanswered_cases": "opened_at DESC, author_followers DESC NULLS LAST, case_id",
}
#: Each table's key.
TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "brand_scorecards": ("brand_id", "period", "period_start", "platform"),
    "care_cases": ("case_id",),
    "agent_activity": ("brand_id", "platform", "period_start", "agent"),
    "unanswered_cases": ("case_id",),
    "brands": ("brand_id",),
    "messages": ("message_id",),
    "archive_files": ("sha256", "name"),
    "quarantine": ("archive_sha256", "position"),
}

#: The scorecards are also written hive-partitioned (``period=<p>/month=<YYYY-MM>/``) into the
#: folder of this name, for BI tools that prune partitions.
HIVE_TABLE = "brand_scorecards"
HIVE_PARTITIONS: tuple[str, ...] = ("period", "month")

#: The one table of the analyst database that does not come from the warehouse.
MANIFEST_TABLE = "manifest"
MANIFEST_TABLE_DESCRIPTION = (
    "The published version this database belongs to: version, created_at, data_horizon, row counts, "
    "and the settings the run computed it with."
)
MANIFEST_COLUMNS: dict[str, str] = {
    "version": "The published version (the folder name under published/versions/).",
    "created_at": "When the version was published (UTC).",
    "data_horizon": (
        "The newest message timestamp in the data (UTC): cases are final up to it minus the response window."
    ),
    "row_counts": "Rows of each table of this database.",
    "settings": (
        "The settings the metrics were computed with (response window, ranking and equity minimums, "
        "care score weights and speed thresholds, canned reply settings), as JSON."
    ),
}

_FOLLOWER_BAND = """
    CASE
        WHEN c.author_followers < 100 THEN 0
        WHEN c.author_followers < 1000 THEN 1
        WHEN c.author_followers < 10000 THEN 2
        WHEN c.author_followers < 100000 THEN 3
        ELSE 4
    END"""

#: The month a leaderboard shows, of a table of brand_scorecards rows (``{scorecards}``): the
#: latest month final for every brand that holds actionable cases and ranks a brand, as the view
#: leaderboard_latest_final_month; before any such month is final, the month that ranks a brand
#: holding the most actionable cases (the latest of equals); when no month ranks a brand, the
#: latest final month holding actionable cases, else the month holding the most. A month's stray
#: cases are no month to rank brands on, final or not: the first case of the month after an
#: archive's end (opened late on the last day in UTC, already the next month in the brand's time
#: zone), or an old archive's one case years before the months that rank (QA: a TAGS file's case
#: of October 2020 beside a month of 1,557 cases not final yet took the report's leaderboard).
#: The report and ``brandcare demo`` show it (their "not final yet" note when it is not final).
LEADERBOARD_MONTH = """
    SELECT period_start FROM {scorecards}
    WHERE period = 'month' AND platform = 'all'
    GROUP BY period_start HAVING sum(actionable_cases) > 0
    ORDER BY count(rank) > 0 DESC, bool_and(is_final) DESC,
             CASE WHEN bool_and(is_final) THEN period_start END DESC NULLS LAST,
             sum(actionable_cases) DESC, period_start DESC
    LIMIT 1"""

#: Views of the analyst database: name -> (description, SQL over its tables, comments of the
#: columns the view computes; the others keep the comment of the column they pass through).
VIEWS: dict[str, tuple[str, str, dict[str, str]]] = {
    "leaderboard_latest_final_month": (
        ("The care score leaderboard of the latest calendar month that is final for every brand, "
        "holds actionable cases and ranks a brand (platform 'all'; a month of brand posts alone ranks "
        "nothing, and a month of a few stray cases is passed over for the latest month that ranks; "
        "when no final month ranks a brand, the latest final month holding actionable cases); brands "
        "under the ranking minimum have no rank and the note 'too few cases'."),
        """
        WITH latest AS (
            SELECT period_start FROM brand_scorecards
            WHERE period = 'month' AND platform = 'all'
            GROUP BY period_start HAVING bool_and(is_final) AND sum(actionable_cases) > 0
            ORDER BY count(rank) > 0 DESC, period_start DESC LIMIT 1
        )
        SELECT s.period_start, s.rank, s.brand_id, s.brand_name, s.sector, s.care_score,
               CASE WHEN s.rank IS NULL THEN 'too few cases' END AS note,
               s.actionable_cases, s.response_rate, s.response_rate_low, s.response_rate_high,
               s.median_first_response_min, s.deflection_rate, s.equity_index, s.ignored_cases,
               s.ignored_reach
        FROM brand_scorecards AS s JOIN latest USING (period_start)
        WHERE s.period = 'month' AND s.platform = 'all'
        ORDER BY s.rank NULLS LAST, s.actionable_cases DESC, s.brand_id
        """,
        {
            "note": "'too few cases' when the brand has fewer actionable cases than the ranking minimum (no rank).",
        },
    ),
    "brand_trend": (
        ("Each brand's monthly trend over every platform: cases, response rate with its Wilson "
        "interval, median first response, care score and rank."),
        """
        SELECT brand_id, brand_name, period_start, is_final, cases, actionable_cases,
               responded_cases, response_rate, response_rate_low, response_rate_high,
               median_first_response_min, care_score, rank
        FROM brand_scorecards
        WHERE period = 'month' AND platform = 'all'
        ORDER BY brand_id, period_start
        """,
        {},
    ),
    "unanswered_queue_by_reach": (
        "Unanswered actionable cases, widest reach (customer's followers) first: who to answer now.",
        """
        SELECT author_followers, brand_id, brand_name, platform, customer_handle, opened_at,
               intent, opening_sentiment, opened_text, opened_url, is_final, case_id
        FROM unanswered_cases
        ORDER BY author_followers DESC NULLS LAST, opened_at DESC, case_id
        """,
        {},
    ),
    "equity_by_band": (
        ("Response rate per brand and follower band of the customer (all cases; customers with "
        "unknown followers left out): do small accounts get answered as often as large ones?"),
        f"""
        SELECT c.brand_id, b.brand_name,
               {_FOLLOWER_BAND} AS band_order,
               ['<100', '100-999', '1k-9,999', '10k-99,999', '>=100k'][{_FOLLOWER_BAND} + 1] AS follower_band,
               count(*) FILTER (WHERE c.is_actionable) AS actionable_cases,
               count(*) FILTER (WHERE c.is_actionable AND c.responded) AS responded_cases,
               count(*) FILTER (WHERE c.is_actionable AND c.responded)
                   / nullif(count(*) FILTER (WHERE c.is_actionable), 0) AS response_rate
        FROM care_cases AS c JOIN brands AS b USING (brand_id)
        WHERE c.author_followers IS NOT NULL
        GROUP BY ALL
        ORDER BY c.brand_id, band_order
        """,
        {
            "band_order": "0 to 4, smallest band first.",
            "follower_band": (
                "The customer's followers: <100, 100-999, 1k-9,999, 10k-99,999, >=100k "
                "(the bands of brand_scorecards.equity_index)."
            ),
            "actionable_cases": "Actionable cases (complaint or question) opened by customers of the band.",
            "responded_cases": "Those answered within the response window.",
            "response_rate": "responded_cases / actionable_cases (NULL when no actionable case).",
        },
    ),
    "hour_weekday": (
        ("Cases and response rate per brand, local weekday and local hour of opening, in each "
        "brand's own time zone: who answers at night and on Sundays."),
        """
        SELECT c.brand_id, b.brand_name, b.timezone,
               isodow(timezone(b.timezone, c.opened_at)) AS weekday,
               dayname(timezone(b.timezone, c.opened_at)) AS weekday_name,
               hour(timezone(b.timezone, c.opened_at)) AS hour,
               count(*) AS cases,
               count(*) FILTER (WHERE c.is_actionable) AS actionable_cases,
               count(*) FILTER (WHERE c.is_actionable AND c.responded) AS responded_cases,
               count(*) FILTER (WHERE c.is_actionable AND c.responded)
                   / nullif(count(*) FILTER (WHERE c.is_actionable), 0) AS response_rate
        FROM care_cases AS c JOIN brands AS b USING (brand_id)
        GROUP BY ALL
        ORDER BY c.brand_id, weekday, hour
        """,
        {
            "weekday": "ISO weekday of the case's opening in the brand's time zone (1 = Monday, 7 = Sunday).",
            "weekday_name": "Name of that weekday (Monday ... Sunday).",
            "hour": "Hour (0-23) of the case's opening in the brand's time zone.",
            "cases": "Cases opened in that local weekday and hour.",
            "actionable_cases": "Actionable cases (complaint or question) among them.",
            "responded_cases": "Actionable cases answered within the response window.",
            "response_rate": "responded_cases / actionable_cases (NULL when no actionable case).",
        },
    ),
}
#: The analyst table a view's passed-through columns come from (their comments are copied).
VIEW_SOURCES: dict[str, tuple[str, ...]] = {
    "leaderboard_latest_final_month": ("brand_scorecards",),
    "brand_trend": ("brand_scorecards",),
    "unanswered_queue_by_reach": ("unanswered_cases",),
    "equity_by_band": ("care_cases", "brands"),
    "hour_weekday": ("care_cases", "brands"),
}

CURRENT_LINK = "current"
VERSIONS_DIR = "versions"
ANALYST_DATABASE = "brandcare.duckdb"
MANIFEST_FILE = "manifest.json"
REPORT_FILE = "report.html"
DICTIONARY_FILE = "data_dictionary.csv"
HISTORY_FILE = "publications.jsonl"
DEFAULT_KEEP_VERSIONS = 5

_TMP_PREFIX = ".tmp-"
_ANALYST_ALIAS = "analyst_build"


class PublicationError(LookupError):
    """A rollback or a read names a version that is not published (or not complete)."""


def current_version(published_dir: Path) -> str | None:
    """The version ``published/current`` points at, or None before the first publish."""
    link = Path(published_dir) / CURRENT_LINK
    if not link.is_symlink():
        return None
    return Path(os.readlink(link)).name


def pinned_version_dir(published_dir: Path) -> Path:
    """The current version's folder, resolved once: open every file of one read under it."""
    link = Path(published_dir) / CURRENT_LINK
    if not link.is_symlink():
        raise PublicationError(f"nothing published yet in {published_dir}")
    return Path(os.path.realpath(link))


def connect_analyst_database(published_dir: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the current version's analyst database."""
    return connect_duckdb(pinned_version_dir(published_dir) / ANALYST_DATABASE, read_only=True)


def publish(
    warehouse: Path,
    published_dir: Path,
    *,
    data_horizon: str | None,
    checks: list[dict],
    report_html: str,
    keep_versions: int = DEFAULT_KEEP_VERSIONS,
    classifiers: dict | None = None,
    settings: dict | None = None,
    duckdb_config: dict[str, str] | None = None,
) -> dict:
    """Publish the warehouse's marts as a new version and make it current; return its manifest.

    ``warehouse`` is the working DuckDB file (opened read-only; call this after the dbt build
    finished). ``checks`` are the results of the blocking checks, each a dict with at least
    ``name``, ``passed`` and ``severity``, stored as given in the manifest. If anything fails
    before the switch, ``current`` (and with it the analyst database) stays as it was and this
    publish's temp files are removed; what a crashed earlier publish left is removed first.
    Keeps the ``keep_versions`` versions most recently made current, this one among them.
    ``settings``: the settings the metrics were computed with (Settings.dbt_vars), recorded in the
    manifest and the analyst database's manifest table.
    ``duckdb_config``: the DuckDB config of its connection (Settings.duckdb_config: memory limit, spill folder).
    """
    if keep_versions < 1:
        raise ValueError(f"keep_versions must be at least 1, got {keep_versions}")
    warehouse = Path(warehouse).resolve()
    if not warehouse.is_file():
        raise FileNotFoundError(f"warehouse not found: {warehouse}")
    published_dir = Path(published_dir).resolve()
    versions_dir = published_dir / VERSIONS_DIR
    versions_dir.mkdir(parents=True, exist_ok=True)
    _record_current(published_dir)
    _remove_leftovers(published_dir)

    created = datetime.now(UTC)
    staging = versions_dir / f"{_TMP_PREFIX}{created:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}"
    version_dir: Path | None = None
    try:
        staging.mkdir()
        con = connect_duckdb(config=duckdb_config)
        try:
            # Attached under its file stem: dbt-duckdb's views name that catalog explicitly.
            con.execute(f"ATTACH {_sql_literal(warehouse)} AS {_ident(warehouse.stem)} (READ_ONLY)")
            con.execute(f"USE {_ident(warehouse.stem)}")
            _require_tables(con, warehouse.stem, ANALYST_TABLES)
            con.execute(_STABLE_NULLABILITY)
            for table in PUBLISHED_TABLES:
                _export_parquet(con, table, staging / f"{table}.parquet")
            _export_hive(con, staging / f"{HIVE_TABLE}.parquet", staging / HIVE_TABLE)
            con.execute("RESET disabled_optimizers")
            (staging / REPORT_FILE).write_text(report_html, encoding="utf-8")
            version = _version_id(created, _file_hashes(staging))
            row_counts = _build_analyst_database(
                con,
                warehouse.stem,
                staging / ANALYST_DATABASE,
                staging,
                version=version,
                created=created,
                data_horizon=data_horizon,
                settings=settings,
            )
            _write_dictionary(con, staging / ANALYST_DATABASE, staging / DICTIONARY_FILE)
        finally:
            con.close()

        manifest = {
            "version": version,
            "created_at": _iso_utc(created),
            "data_horizon": data_horizon,
            "row_counts": row_counts,
            "settings": settings,
            "checks": list(checks),
            # the classifiers' version and held-out error: the error of every classified count
            "classifiers": classifiers,
            "files": _file_hashes(staging),
        }
        (staging / MANIFEST_FILE).write_text(
            json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8"
        )
        _fsync_tree(staging)
        target = versions_dir / version
        if target.exists():  # a version is immutable: never overwrite one
            raise FileExistsError(f"version already published: {target}")
        staging.rename(target)
        version_dir = target
        _fsync_dir(versions_dir)
        with _switching(published_dir):
            _link_analyst_database(published_dir)
            _switch_current(published_dir, version)
            _append_history(published_dir, version, "publish")
            _prune(published_dir, keep_versions)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if version_dir is not None and current_version(published_dir) != version_dir.name:
            shutil.rmtree(version_dir, ignore_errors=True)
        raise
    return manifest


def list_publications(published_dir: Path) -> list[dict]:
    """Every complete version (with its manifest), newest first.

    Each entry: ``version``, ``created_at``, ``data_horizon``, ``row_counts``, ``checks_passed``,
    ``checks_warned`` (warning-severity checks that did not pass: the version was published with
    them), ``checks_total``, ``current`` (it is current now), ``last_made_current_at`` (None: it never
    became current), ``path``.
    """
    published_dir = Path(published_dir)
    current = current_version(published_dir)
    made_current = _made_current(published_dir)
    entries = []
    for path in _version_dirs(published_dir):
        manifest = _read_manifest(path)
        if manifest is None:
            continue
        checks = manifest.get("checks") or []
        entries.append({
            "version": path.name,
            "created_at": manifest.get("created_at"),
            "data_horizon": manifest.get("data_horizon"),
            "row_counts": manifest.get("row_counts", {}),
            "checks_passed": sum(bool(check.get("passed")) for check in checks),
            "checks_warned": sum(not check.get("passed") and check.get("severity") == "WARN" for check in checks),
            "checks_total": len(checks),
            "current": path.name == current,
            "last_made_current_at": made_current.get(path.name),
            "path": str(path),
        })
    entries.sort(key=lambda entry: (entry["created_at"] or "", entry["version"]), reverse=True)
    return entries


def rollback(published_dir: Path, version: str) -> dict:
    """Make an earlier published ``version`` current again (one atomic switch); return its manifest."""
    published_dir = Path(published_dir).resolve()
    known = {path.name: path for path in _version_dirs(published_dir)}
    path = known.get(version)
    manifest = _read_manifest(path) if path is not None else None
    if manifest is None or not (path / ANALYST_DATABASE).is_file():
        available = ", ".join(entry["version"] for entry in list_publications(published_dir)) or "none"
        raise PublicationError(f"no complete published version {version!r}; available: {available}")
    with _switching(published_dir):
        if not (path / ANALYST_DATABASE).is_file():  # pruned while this waited
            raise PublicationError(f"version {version!r} was removed by a publish meanwhile")
        _record_current(published_dir)
        _link_analyst_database(published_dir)
        _switch_current(published_dir, version)
        _append_history(published_dir, version, "rollback")
    return manifest


@contextmanager
def _switching(published_dir: Path) -> Iterator[None]:
    """One switch of ``current`` at a time: a publish's switch, history and pruning, or a
    rollback's (the lock beside the published folder, not in it: readers list that folder).
    QA: a rollback during a publish made current a version the publish then pruned
    (current pointed at nothing, every reader failed)."""
    with held_flock(published_dir.parent / "publish.lock", f"pid {os.getpid()}", "another publish or rollback",
                    None, ""):
        yield


# --------------------------------------------------------------------------- writing a version

#: DuckDB writes a Parquet column as required (no NULL) when its statistics show no NULL in the
#: data at hand: whether a published column may be NULL changed from one version to the next
#: (brand_scorecards.sector, agent_activity.agent), and a BI tool that fixes its schema from
#: one file met NULLs in the next. Without statistics propagation, every column is written
#: nullable, in every version (the dbt contracts' not_null tests say which never are).
_STABLE_NULLABILITY = "SET disabled_optimizers = 'statistics_propagation'"


def _export_parquet(con: duckdb.DuckDBPyConnection, table: str, target: Path) -> None:
    order = _order_by(table)
    con.execute(
        f"COPY (SELECT * FROM main.{_ident(table)} ORDER BY {order}) "
        f"TO {_sql_literal(target)} (FORMAT parquet)"
    )


def _export_hive(con: duckdb.DuckDBPyConnection, export: Path, target: Path) -> None:
    """The scorecards again, one folder per period and month of ``period_start`` (YYYY-MM)."""
    order = _order_by(HIVE_TABLE)
    con.execute(
        f"COPY (SELECT *, strftime(period_start, '%Y-%m') AS month "
        f"FROM read_parquet({_sql_literal(export)}) ORDER BY {order}) "
        f"TO {_sql_literal(target)} "
        f"(FORMAT parquet, PARTITION_BY ({', '.join(HIVE_PARTITIONS)}), FILENAME_PATTERN 'data_{{i}}')"
    )


def _build_analyst_database(
    con: duckdb.DuckDBPyConnection,
    warehouse_catalog: str,
    target: Path,
    exports_dir: Path,
    *,
    version: str,
    created: datetime,
    data_horizon: str | None,
    settings: dict | None,
) -> dict[str, int]:
    """Write the analyst database to ``target``: real tables and views, every table, view and
    column commented (the dbt docs the warehouse holds), checkpointed, no write-ahead log."""
    db = _ident(_ANALYST_ALIAS)
    con.execute(f"ATTACH {_sql_literal(target)} AS {db}")
    row_counts: dict[str, int] = {}
    for table in ANALYST_TABLES:
        if table in PUBLISHED_TABLES:
            # From the export itself, so the analyst table and the Parquet file are the same rows.
            source = f"read_parquet({_sql_literal(exports_dir / f'{table}.parquet')})"
        else:
            source = f"(SELECT * FROM main.{_ident(table)} ORDER BY {_order_by(table)})"
        con.execute(f"CREATE TABLE {db}.main.{_ident(table)} AS SELECT * FROM {source}")
        (count,) = con.execute(f"SELECT count(*) FROM {db}.main.{_ident(table)}").fetchone()
        row_counts[table] = int(count)

    counts_struct = ", ".join(f"{_sql_literal(table)}: ?::BIGINT" for table in ANALYST_TABLES)
    con.execute(
        f"CREATE TABLE {db}.main.{MANIFEST_TABLE} AS SELECT ?::VARCHAR AS version, "
        f"?::TIMESTAMPTZ AS created_at, ?::TIMESTAMPTZ AS data_horizon, "
        f"{{{counts_struct}}} AS row_counts, ?::JSON AS settings",
        [version, created, data_horizon, *(row_counts[table] for table in ANALYST_TABLES),
         None if settings is None else json.dumps(settings, sort_keys=True)],
    )

    table_comments, column_comments = _warehouse_docs(con, warehouse_catalog, ANALYST_TABLES)
    table_comments[MANIFEST_TABLE] = MANIFEST_TABLE_DESCRIPTION
    column_comments[MANIFEST_TABLE] = dict(MANIFEST_COLUMNS)

    con.execute(f"USE {db}")  # views name their tables unqualified: they resolve in this file
    try:
        for view, (description, sql, computed) in VIEWS.items():
            con.execute(f"CREATE VIEW {_ident(view)} AS {sql}")
            table_comments[view] = description
            passed_through: dict[str, str] = {}
            for source in reversed(VIEW_SOURCES[view]):
                passed_through.update(column_comments.get(source, {}))
            column_comments[view] = {**passed_through, **computed}
        for relation, comment in table_comments.items():
            kind = "VIEW" if relation in VIEWS else "TABLE"
            con.execute(f"COMMENT ON {kind} {_ident(relation)} IS {_sql_literal(comment)}")
        for relation, columns in column_comments.items():
            present = {
                name
                for (name,) in con.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND table_name = ?",
                    [_ANALYST_ALIAS, relation],
                ).fetchall()
            }
            for column, comment in columns.items():
                if column in present:
                    con.execute(
                        f"COMMENT ON COLUMN {_ident(relation)}.{_ident(column)} IS {_sql_literal(comment)}"
                    )
    finally:
        con.execute(f"USE {_ident(warehouse_catalog)}")
    con.execute(f"CHECKPOINT {db}")
    con.execute(f"DETACH {db}")
    wal = Path(f"{target}.wal")
    if wal.exists():
        raise RuntimeError(f"analyst database left a write-ahead log behind: {wal}")
    return row_counts


def _warehouse_docs(
    con: duckdb.DuckDBPyConnection, catalog: str, tables: Iterable[str]
) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Table and column comments of the warehouse (dbt's ``persist_docs`` writes the YAML
    descriptions there), as ({table: comment}, {table: {column: comment}})."""
    tables = list(tables)
    table_comments = {
        name: comment.strip()
        for name, comment in con.execute(
            "SELECT table_name, comment FROM duckdb_tables() WHERE database_name = ? "
            "AND schema_name = 'main' AND comment IS NOT NULL AND list_contains(?, table_name) "
            "UNION ALL SELECT view_name, comment FROM duckdb_views() WHERE database_name = ? "
            "AND schema_name = 'main' AND comment IS NOT NULL AND list_contains(?, view_name)",
            [catalog, tables, catalog, tables],
        ).fetchall()
        if comment.strip()
    }
    column_comments: dict[str, dict[str, str]] = {}
    for table, column, comment in con.execute(
        "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE database_name = ? "
        "AND schema_name = 'main' AND comment IS NOT NULL AND list_contains(?, table_name)",
        [catalog, tables],
    ).fetchall():
        if comment.strip():
            column_comments.setdefault(table, {})[column] = " ".join(comment.split())
    return table_comments, column_comments


def _write_dictionary(con: duckdb.DuckDBPyConnection, database: Path, target: Path) -> None:
    """``data_dictionary.csv``: every column of the analyst database (tables and views), its
    type, its definition and the Parquet file that carries it too."""
    alias = "dictionary_source"
    con.execute(f"ATTACH {_sql_literal(database)} AS {_ident(alias)} (READ_ONLY)")
    try:
        rows = con.execute(
            """
            SELECT c.table_name, CASE WHEN v.view_name IS NULL THEN 'table' ELSE 'view' END,
                   c.column_name, c.data_type, coalesce(c.comment, '')
            FROM duckdb_columns() AS c
            LEFT JOIN duckdb_views() AS v
                ON v.database_name = c.database_name AND v.view_name = c.table_name
            WHERE c.database_name = ? AND c.schema_name = 'main'
            ORDER BY c.table_name, c.column_index
            """,
            [alias],
        ).fetchall()
    finally:
        con.execute(f"DETACH {_ident(alias)}")
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["table", "kind", "column", "type", "definition", "parquet_file"])
        for table, kind, column, data_type, definition in rows:
            parquet = f"{table}.parquet" if table in PUBLISHED_TABLES else ""
            writer.writerow([table, kind, column, data_type, definition, parquet])


# --------------------------------------------------------------------------- switching and history


def _switch_current(published_dir: Path, version: str) -> None:
    """Point ``current`` at ``versions/<version>`` with one rename: never a moment without it."""
    _replace_symlink(published_dir / CURRENT_LINK, Path(VERSIONS_DIR) / version)


def _link_analyst_database(published_dir: Path) -> None:
    """Make ``brandcare.duckdb`` the symlink ``current/brandcare.duckdb`` (once per folder).

    A folder of the old layout has a real file there, holding the current version: it is first
    hard-linked into the current version folder, so the name never points at nothing."""
    link = published_dir / ANALYST_DATABASE
    target = Path(CURRENT_LINK) / ANALYST_DATABASE
    if link.is_symlink() and Path(os.readlink(link)) == target:
        return
    current = current_version(published_dir)
    in_current = published_dir / VERSIONS_DIR / current / ANALYST_DATABASE if current else None
    if link.is_file() and not link.is_symlink() and in_current is not None and not in_current.exists():
        os.link(link, in_current)
    Path(f"{link}.wal").unlink(missing_ok=True)
    _replace_symlink(link, target)


def _replace_symlink(link: Path, target: Path) -> None:
    tmp_link = link.with_name(f"{_TMP_PREFIX}{link.name}-{uuid.uuid4().hex[:8]}")
    os.symlink(target, tmp_link)
    try:
        os.replace(tmp_link, link)
    except BaseException:
        tmp_link.unlink(missing_ok=True)
        raise
    _fsync_dir(link.parent)


def _append_history(published_dir: Path, version: str, action: str, at: str | None = None) -> None:
    """One line in ``publications.jsonl``: ``version`` became current (appended, synced)."""
    line = json.dumps({"version": version, "action": action, "at": at or _iso_utc(datetime.now(UTC))})
    fd = os.open(published_dir / HISTORY_FILE, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def _made_current(published_dir: Path) -> dict[str, str]:
    """Version -> the last time it was made current (a torn last line of a crash is skipped)."""
    try:
        text = (Path(published_dir) / HISTORY_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    made: dict[str, str] = {}
    for line in text.splitlines():
        try:
            entry = json.loads(line)
            made[str(entry["version"])] = str(entry["at"])
        except (ValueError, KeyError, TypeError):
            continue
    return made


def _record_current(published_dir: Path) -> None:
    """A crash between switching and writing history leaves the current version unrecorded:
    record it before anything replaces it. A folder of an earlier release (no history yet) has
    its complete versions recorded as published when they were created."""
    current = current_version(published_dir)
    if current is None:
        return
    if not (published_dir / HISTORY_FILE).exists():
        adopted = [(path, _read_manifest(path)) for path in _version_dirs(published_dir)]
        for path, manifest in sorted(
            ((p, m) for p, m in adopted if m is not None and p.name != current),
            key=lambda item: str(item[1].get("created_at")),
        ):
            _append_history(published_dir, path.name, "adopted", str(manifest.get("created_at")))
    if current not in _made_current(published_dir):
        _append_history(published_dir, current, "recovered")


def _prune(published_dir: Path, keep_versions: int) -> None:
    """Keep the ``keep_versions`` versions most recently made current (the current one is the
    most recent, and kept whatever happens); remove every other version folder (including
    folders that never became current)."""
    current = current_version(published_dir)
    made_current = _made_current(published_dir)
    published = sorted(
        (path for path in _version_dirs(published_dir) if path.name in made_current),
        key=lambda path: (made_current[path.name], path.name),
        reverse=True,
    )
    keep = {path.name for path in published[:keep_versions]} | {current}
    for path in _version_dirs(published_dir):
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)
    _remove_leftovers(published_dir)


def _remove_leftovers(published_dir: Path) -> None:
    """Temp folders and links of crashed publishes, and version folders that never became
    current (one writer: no other publish is running)."""
    versions_dir = published_dir / VERSIONS_DIR
    for path in versions_dir.glob(f"{_TMP_PREFIX}*"):
        shutil.rmtree(path, ignore_errors=True)
    for path in published_dir.glob(f"{_TMP_PREFIX}*"):
        path.unlink(missing_ok=True)
    # the temp names of earlier releases
    for pattern in (".brandcare-*.duckdb.tmp*", f".{CURRENT_LINK}-*.tmp"):
        for path in published_dir.glob(pattern):
            path.unlink(missing_ok=True)
    current = current_version(published_dir)
    made_current = _made_current(published_dir)
    if current is None and not made_current:
        return  # nothing was ever published here: nothing to tell apart
    for path in _version_dirs(published_dir):
        if path.name != current and path.name not in made_current:
            shutil.rmtree(path, ignore_errors=True)


def _version_dirs(published_dir: Path) -> list[Path]:
    versions_dir = Path(published_dir) / VERSIONS_DIR
    if not versions_dir.is_dir():
        return []
    return sorted(
        path for path in versions_dir.iterdir()
        if path.is_dir() and not path.is_symlink() and not path.name.startswith(".")
    )


def _read_manifest(version_dir: Path) -> dict | None:
    try:
        manifest = json.loads((version_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and manifest.get("version") == version_dir.name else None


# --------------------------------------------------------------------------- helpers


def _require_tables(con: duckdb.DuckDBPyConnection, catalog: str, tables: Iterable[str]) -> None:
    present = {
        name
        for (name,) in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_catalog = ? AND table_schema = 'main'",
            [catalog],
        ).fetchall()
    }
    missing = [table for table in tables if table not in present]
    if missing:
        raise LookupError(f"warehouse has no relation(s) {', '.join(missing)} in schema main")


def _file_hashes(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file below ``folder`` except the manifest."""
    return {
        path.relative_to(folder).as_posix(): _sha256(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != MANIFEST_FILE
    }


def _version_id(created: datetime, files: dict[str, str]) -> str:
    """``<UTC second>Z-<6 hex>``: sortable by time; the hash covers the files and the exact instant,
    so two publishes of the same data in the same second still get two ids."""
    digest = hashlib.sha256(created.isoformat().encode())
    for name, sha in sorted(files.items()):
        digest.update(f"\n{name}:{sha}".encode())
    return f"{created:%Y%m%dT%H%M%SZ}-{digest.hexdigest()[:6]}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _order_by(table: str) -> str:
    return TABLE_ORDER.get(table) or ", ".join(_ident(column) for column in TABLE_KEYS[table])


def _sql_literal(value: object) -> str:
    """A SQL string literal. Only for our own paths, constants and the warehouse's dbt docs,
    where DuckDB takes no parameters (COPY targets, read_parquet, ATTACH, COMMENT ON); values
    go in as parameters."""
    return "'" + str(value).replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _fsync_tree(folder: Path) -> None:
    """Make a staged version durable (and its files read-only) before it is renamed into place."""
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            path.chmod(0o444)
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    for path in [folder, *sorted(p for p in folder.rglob("*") if p.is_dir())]:
        _fsync_dir(path)


def _fsync_dir(directory: Path) -> None:
    """Make renames inside ``directory`` durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
