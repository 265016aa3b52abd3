"""Write-audit-publish of the published outputs (DESIGN.md, "Interfaces that must hold").

One publish writes a new immutable folder ``published/versions/<version>/`` (the Parquet
exports, ``report.html``, ``manifest.json``), builds a new analyst DuckDB file next to it, then
switches ``published/current`` and ``published/brandcare.duckdb`` with ``os.replace``, so a
reader sees the previous complete version or the new complete version, never a mixture and
never nothing. Readers of the analyst database keep the file they opened; new readers get the
new one. Plain Python with no Dagster import: the pipeline, the CLI and tests call it directly.

Layout below ``published_dir``::

    current -> versions/<version>        symlink, replaced atomically
    versions/<version>/                  brand_scorecards.parquet, care_cases.parquet,
                                         unanswered_cases.parquet, report.html, manifest.json
    brandcare.duckdb                     the analyst database of the current version

The pipeline is the only writer of ``published_dir`` (one publish at a time), which is what
lets a publish remove the temp files a crashed publish left behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import duckdb

#: Exported as Parquet into every version folder (what BI tools read).
PUBLISHED_TABLES: tuple[str, ...] = ("brand_scorecards", "care_cases", "unanswered_cases")
#: Copied as real tables into the analyst database.
ANALYST_TABLES: tuple[str, ...] = PUBLISHED_TABLES + ("messages", "archive_files", "quarantine", "agent_activity")

#: The order rows are written in (a total order, ending in each table's key), so identical data
#: gives identical files; unanswered cases come newest first, then widest reach.
TABLE_ORDER: dict[str, str] = {
    "unanswered_cases": "opened_at DESC, author_followers DESC NULLS LAST, case_id",
}
#: Each table's key.
TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "brand_scorecards": ("brand_id", "period", "period_start", "platform"),
    "care_cases": ("case_id",),
    "agent_activity": ("brand_id", "platform", "month", "agent"),
    "unanswered_cases": ("case_id",),
    "messages": ("message_id",),
    "archive_files": ("sha256", "name"),
    "quarantine": ("archive_sha256", "position"),
}

#: One line per analyst table, stored with COMMENT ON TABLE so analysts see it in their tools.
TABLE_DESCRIPTIONS: dict[str, str] = {
    "agent_activity": (
        "Brand replies per agent (sign-off such as ^JK or -Becky; NULL = unsigned), brand, platform "
        "and local month: replies, cases answered, first responses and their median minutes."
    ),
    "brand_scorecards": (
        "Care metrics per brand, period (day/week/month, brand time zone), period_start and "
        "platform ('all' = every platform); definitions in METRICS.md."
    ),
    "care_cases": "One row per case (conversation, brand, customer) with its per-case fields.",
    "unanswered_cases": "Actionable cases with no brand reply within the response window.",
    "messages": "Every canonical message with its classifications (sentiment, deflection).",
    "archive_files": (
        "One row per archive file: format, status (loaded/rejected) and records read = "
        "loaded + quarantined."
    ),
    "quarantine": "Records that could not be parsed: archive file, position, reason, excerpt.",
    "manifest": "The published version this file holds: version, created_at, data_horizon.",
}

CURRENT_LINK = "current"
VERSIONS_DIR = "versions"
ANALYST_DATABASE = "brandcare.duckdb"
MANIFEST_FILE = "manifest.json"
REPORT_FILE = "report.html"

_TMP_VERSION_PREFIX = ".tmp-"
_ANALYST_ALIAS = "analyst_build"


def current_version(published_dir: Path) -> str | None:
    """The version ``published/current`` points at, or None before the first publish."""
    link = Path(published_dir) / CURRENT_LINK
    if not link.is_symlink():
        return None
    return Path(os.readlink(link)).name


def publish(
    warehouse: Path,
    published_dir: Path,
    *,
    data_horizon: str | None,
    checks: list[dict],
    report_html: str,
    keep_versions: int = 5,
) -> dict:
    """Publish the warehouse's marts as a new version and make it current; return its manifest.

    ``warehouse`` is the working DuckDB file (opened read-only; call this after the dbt build
    finished). ``checks`` are the results of the blocking checks, each a dict with at least
    ``name``, ``passed`` and ``severity``, stored as given in the manifest. If anything fails
    before the switch, ``current`` and ``brandcare.duckdb`` stay as they were and this
    publish's temp files are removed. Keeps the newest ``keep_versions`` versions.
    """
    if keep_versions < 1:
        raise ValueError(f"keep_versions must be at least 1, got {keep_versions}")
    warehouse = Path(warehouse).resolve()
    if not warehouse.is_file():
        raise FileNotFoundError(f"warehouse not found: {warehouse}")
    published_dir = Path(published_dir).resolve()
    versions_dir = published_dir / VERSIONS_DIR
    versions_dir.mkdir(parents=True, exist_ok=True)

    created = datetime.now(UTC)
    staging_name = f"{_TMP_VERSION_PREFIX}{created:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}"
    staging = versions_dir / staging_name
    analyst_tmp: Path | None = None
    version_dir: Path | None = None
    try:
        staging.mkdir()
        con = duckdb.connect()
        try:
            # Attached under its file stem: dbt-duckdb's views name that catalog explicitly.
            con.execute(f"ATTACH {_sql_literal(warehouse)} AS {_ident(warehouse.stem)} (READ_ONLY)")
            con.execute(f"USE {_ident(warehouse.stem)}")
            _require_tables(con, warehouse.stem, ANALYST_TABLES)
            for table in PUBLISHED_TABLES:
                _export_parquet(con, table, staging / f"{table}.parquet")
            (staging / REPORT_FILE).write_text(report_html, encoding="utf-8")

            files = {path.name: _sha256(path) for path in sorted(staging.iterdir())}
            version = _version_id(created, files)
            analyst_tmp = published_dir / f".brandcare-{version}.duckdb.tmp"
            row_counts = _build_analyst_database(
                con,
                analyst_tmp,
                staging,
                version=version,
                created=created,
                data_horizon=data_horizon,
            )
        finally:
            con.close()

        manifest = {
            "version": version,
            "created_at": _iso_utc(created),
            "data_horizon": data_horizon,
            "row_counts": row_counts,
            "checks": list(checks),
            "files": files,
        }
        (staging / MANIFEST_FILE).write_text(
            json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8"
        )
        target = versions_dir / version
        if target.exists():  # a version is immutable: never overwrite one
            raise FileExistsError(f"version already published: {target}")
        staging.rename(target)
        version_dir = target
        _fsync_dir(versions_dir)

        _switch_current(published_dir, version)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if version_dir is not None and current_version(published_dir) != version_dir.name:
            shutil.rmtree(version_dir, ignore_errors=True)
        if analyst_tmp is not None:
            _remove_database_files(analyst_tmp)
        raise

    analyst_db = published_dir / ANALYST_DATABASE
    # A write-ahead log next to the analyst file would be replayed into the new file.
    Path(f"{analyst_db}.wal").unlink(missing_ok=True)
    os.replace(analyst_tmp, analyst_db)
    _fsync_dir(published_dir)

    _prune(published_dir, keep_versions)
    return manifest


def _export_parquet(con: duckdb.DuckDBPyConnection, table: str, target: Path) -> None:
    order = _order_by(table)
    con.execute(
        f"COPY (SELECT * FROM main.{_ident(table)} ORDER BY {order}) "
        f"TO {_sql_literal(target)} (FORMAT parquet)"
    )


def _build_analyst_database(
    con: duckdb.DuckDBPyConnection,
    target: Path,
    exports_dir: Path,
    *,
    version: str,
    created: datetime,
    data_horizon: str | None,
) -> dict[str, int]:
    """Write the analyst database to ``target`` (real tables, comments, checkpointed, no WAL)."""
    _remove_database_files(target)
    db = _ident(_ANALYST_ALIAS)
    con.execute(f"ATTACH {_sql_literal(target)} AS {db}")
    row_counts: dict[str, int] = {}
    for table in ANALYST_TABLES:
        if table in PUBLISHED_TABLES:
            # From the export itself, so the analyst table and the Parquet file are the same rows.
            source = f"read_parquet({_sql_literal(exports_dir / f'{table}.parquet')})"
        else:
            order = _order_by(table)
            source = f"(SELECT * FROM main.{_ident(table)} ORDER BY {order})"
        con.execute(f"CREATE TABLE {db}.main.{_ident(table)} AS SELECT * FROM {source}")
        (count,) = con.execute(f"SELECT count(*) FROM {db}.main.{_ident(table)}").fetchone()
        row_counts[table] = int(count)

    counts_struct = ", ".join(f"{_sql_literal(table)}: ?::BIGINT" for table in ANALYST_TABLES)
    con.execute(
        f"CREATE TABLE {db}.main.manifest AS SELECT ?::VARCHAR AS version, "
        f"?::TIMESTAMPTZ AS created_at, ?::VARCHAR AS data_horizon, "
        f"{{{counts_struct}}} AS row_counts",
        [version, created, data_horizon, *(row_counts[table] for table in ANALYST_TABLES)],
    )
    for table in (*ANALYST_TABLES, "manifest"):
        description = _sql_literal(TABLE_DESCRIPTIONS[table])
        con.execute(f"COMMENT ON TABLE {db}.main.{_ident(table)} IS {description}")
    con.execute(f"CHECKPOINT {db}")
    con.execute(f"DETACH {db}")
    wal = Path(f"{target}.wal")
    if wal.exists():
        raise RuntimeError(f"analyst database left a write-ahead log behind: {wal}")
    return row_counts


def _switch_current(published_dir: Path, version: str) -> None:
    """Point ``current`` at ``versions/<version>`` with one rename: never a moment without it."""
    link = published_dir / CURRENT_LINK
    tmp_link = published_dir / f".{CURRENT_LINK}-{version}.tmp"
    tmp_link.unlink(missing_ok=True)
    os.symlink(Path(VERSIONS_DIR) / version, tmp_link, target_is_directory=True)
    try:
        os.replace(tmp_link, link)
    except BaseException:
        tmp_link.unlink(missing_ok=True)
        raise
    _fsync_dir(published_dir)


def _prune(published_dir: Path, keep_versions: int) -> None:
    """Remove versions beyond the newest ``keep_versions`` (never the current one) and leftovers."""
    versions_dir = published_dir / VERSIONS_DIR
    current = current_version(published_dir)
    versions = [
        path for path in versions_dir.iterdir() if path.is_dir() and not path.name.startswith(".")
    ]
    versions.sort(key=lambda path: (_created_at(path), path.name), reverse=True)
    keep = {path.name for path in versions[:keep_versions]} | {current}
    for path in versions:
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)
    # Leftovers of a publish that crashed (one writer: no other publish is running).
    for path in versions_dir.glob(f"{_TMP_VERSION_PREFIX}*"):
        shutil.rmtree(path, ignore_errors=True)
    for path in published_dir.glob(".brandcare-*.duckdb.tmp*"):
        path.unlink(missing_ok=True)
    for path in published_dir.glob(f".{CURRENT_LINK}-*.tmp"):
        path.unlink(missing_ok=True)


def _created_at(version_dir: Path) -> str:
    try:
        manifest = json.loads((version_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
        return str(manifest["created_at"])
    except (OSError, ValueError, KeyError):
        return ""


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
    """A SQL string literal. Only for our own paths and constants, where DuckDB takes no
    parameters (COPY targets, read_parquet, ATTACH, COMMENT ON); values go in as parameters."""
    return "'" + str(value).replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _remove_database_files(path: Path) -> None:
    for leftover in (path, Path(f"{path}.wal")):
        leftover.unlink(missing_ok=True)


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
