"""Register archive files (once, by content hash) and normalise them into the Parquet lake.

Layout below ``BRANDCARE_HOME``::

    archives/<sha256>/content            content-addressed copy of each archive file
    archives/<sha256>/companions/        files a reader needs beside it (account.js)
    archives/<sha256>/source.json        where it came from, its name, when it was registered
    lake/files/<sha256>.parquet          one row: format, status, error, record counts
    lake/messages/date=<UTC date>/<sha256>.parquet   canonical rows + classifications
    lake/quarantine/<sha256>.parquet     records that could not be read, with a reason

Normalising is a pure function of the file's content: re-running it replaces the same
outputs, so registering or normalising a file twice never adds rows.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import polars as pl

from pipelines.canonical import LAKE_SCHEMA, MESSAGE_SCHEMA, QUARANTINE_SCHEMA
from pipelines.classify import classify_messages
from pipelines.formats import ArchiveError, detect_format, read_archive
from pipelines.formats.decode import prepare
from pipelines.settings import Settings
from pipelines.sources import Candidate, SourceError, collect, is_url

FILE_SCHEMA: dict[str, pl.DataType] = {
    "sha256": pl.String,
    "source": pl.String,
    "name": pl.String,
    "format": pl.String,
    "status": pl.String,
    "error": pl.String,
    "notes": pl.String,
    "records_read": pl.Int64,
    "records_loaded": pl.Int64,
    "records_quarantined": pl.Int64,
    "size_bytes": pl.Int64,
    "registered_at": pl.Datetime("us", "UTC"),
}

SOURCE_FILE = "source.json"
#: Normalise in batches of at most this many files / bytes of archive (memory stays bounded).
BATCH_FILES = 500
BATCH_BYTES = 256 << 20
STORED_NAME = "content"
#: A timestamp later than now + this is not believed (clock errors, placeholder dates).
FUTURE_TOLERANCE = timedelta(days=1)

#: A placeholder partition so that the lake's globs always match a file with the right schema.
EMPTY_FILE = "_empty.parquet"


@dataclass(frozen=True)
class ArchiveFile:
    """One registered archive file and what normalising it gave."""

    sha256: str
    source: str
    name: str
    format: str | None
    status: str  # loaded | rejected
    error: str | None
    notes: str | None  # repairs made before reading (encoding, BOM, decompression)
    records_read: int
    records_loaded: int
    records_quarantined: int
    size_bytes: int
    registered_at: datetime

    def summary(self) -> str:
        """One line for logs: format and counts, or why the file was rejected."""
        if self.status == "rejected":
            return f"{self.name}: rejected: {self.error}"
        return (f"{self.name}: {self.format}, read {self.records_read}, loaded {self.records_loaded}, "
                f"quarantined {self.records_quarantined}")


def ensure_lake(settings: Settings) -> None:
    """Create the lake folders and their empty, typed placeholder files."""
    for folder, schema in (
        (settings.lake_dir / "files", FILE_SCHEMA),
        (settings.messages_dir / "date=1970-01-01", LAKE_SCHEMA),
        (settings.quarantine_dir, QUARANTINE_SCHEMA),
    ):
        folder.mkdir(parents=True, exist_ok=True)
        placeholder = folder / EMPTY_FILE
        if not placeholder.exists():
            write_parquet(pl.DataFrame(schema=schema), placeholder)


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _refusal_key(source: str) -> str:
    """Key of a candidate refused before its content could be read (no content hash exists)."""
    return hashlib.sha256(f"refused:{source}".encode()).hexdigest()


def register(candidate: Candidate, settings: Settings) -> tuple[str, bool]:
    """Copy one archive file into the content-addressed store. Returns (sha256, is_new).

    A file whose content is already registered is a no-op, whatever its name or source.
    """
    if candidate.path is None:
        return _refusal_key(candidate.source), False
    sha = _sha256(candidate.path)
    if candidate.expected_sha256 and candidate.expected_sha256 != sha:
        raise SourceError(f"checksum mismatch for {candidate.source}: expected {candidate.expected_sha256}, got {sha}")
    folder = settings.archives_dir / sha
    if (folder / SOURCE_FILE).exists():
        return sha, False
    settings.archives_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.archives_dir, prefix=".incoming-") as tmp:
        staging = Path(tmp) / "store"
        (staging / "companions").mkdir(parents=True)
        shutil.copyfile(candidate.path, staging / STORED_NAME)
        for companion in candidate.companions:
            shutil.copyfile(companion, staging / "companions" / companion.name)
        meta = {"sha256": sha, "source": candidate.source, "name": candidate.name,
                "registered_at": datetime.now(timezone.utc).isoformat()}
        (staging / SOURCE_FILE).write_text(json.dumps(meta, indent=2))
        os.replace(staging, folder)
    return sha, True


@contextmanager
def _readable_copy(sha: str, settings: Settings) -> Iterator[tuple[Path, list[str]]]:
    """The stored archive prepared for a reader (decompressed, UTF-8), in a private work folder
    where companions (account.js beside a personal archive's tweets.js) sit beside it."""
    folder = settings.archives_dir / sha
    name = Path(json.loads((folder / SOURCE_FILE).read_text())["name"]).name
    work_root = settings.home / "tmp"
    work_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work_root, prefix=f"{sha[:12]}-") as tmp:
        work = Path(tmp)
        for companion in (folder / "companions").glob("*"):
            shutil.copyfile(companion, work / companion.name)
        original = work / name
        try:
            os.link(folder / STORED_NAME, original)  # no copy of a large archive when a link will do
        except OSError:
            shutil.copyfile(folder / STORED_NAME, original)
        yield prepare(original, work)


def write_parquet(frame: pl.DataFrame, target: Path) -> None:
    """Write a Parquet file atomically (temp file + rename), creating its folder."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    frame.write_parquet(tmp)
    os.replace(tmp, target)


def _remove_outputs(sha: str, settings: Settings) -> None:
    for old in settings.messages_dir.glob(f"date=*/{sha}.parquet"):
        old.unlink()


def _checked(messages: pl.DataFrame, quarantine: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rules every reader shares: no timestamp in the future; one id, one content per file."""
    future = pl.col("created_at") > pl.lit(datetime.now(timezone.utc) + FUTURE_TOLERANCE)
    first_position = pl.col("position").min().over("version_id")
    content = pl.concat_str([pl.col("author_id"), pl.col("created_at").cast(pl.String), pl.col("text"), pl.col("kind")],
                            separator="\x1f", ignore_nulls=True)
    differs = pl.col("_content").n_unique().over("version_id") > 1
    flagged = messages.with_columns(_content=content).with_columns(
        pl.when(future).then(pl.lit("timestamp in the future: ") + pl.col("created_at").dt.to_string("%Y-%m-%dT%H:%M:%SZ"))
        .when(differs & (pl.col("position") != first_position))
        .then(pl.lit("duplicate id ") + pl.col("version_id") + pl.lit(" with different content (first at position ")
              + first_position.cast(pl.String) + pl.lit(")"))
        .alias("_reason")
    )
    bad = flagged.filter(pl.col("_reason").is_not_null())
    if bad.is_empty():
        return messages, quarantine
    rejected = bad.select(
        pl.col("position"), pl.col("_reason").alias("reason"),
        pl.struct(pl.col(c) for c in messages.columns if c != "mentions").struct.json_encode().alias("excerpt"),
    )
    return (flagged.filter(pl.col("_reason").is_null()).drop("_content", "_reason"),
            pl.concat([quarantine, rejected.with_columns(pl.lit(None, pl.String).alias("archive_sha256"))
                       .select(quarantine.columns)]).sort("position"))


@dataclass
class _Parsed:
    """One archive read into canonical rows, not yet classified nor stored."""

    sha: str
    meta: dict
    detected: str | None
    error: str | None
    notes: list[str]
    messages: pl.DataFrame
    quarantine: pl.DataFrame


def _parse(sha: str, settings: Settings, fmt: str) -> _Parsed:
    meta = json.loads((settings.archives_dir / sha / SOURCE_FILE).read_text())
    notes: list[str] = []
    detected: str | None = None
    try:
        with _readable_copy(sha, settings) as (readable, notes):
            detected = detect_format(readable) if fmt == "auto" else fmt
            read = read_archive(readable, detected)
        messages, quarantine = _checked(read.messages, read.quarantine)
    except ArchiveError as exc:
        return _Parsed(sha, meta, detected, str(exc), notes, pl.DataFrame(schema=MESSAGE_SCHEMA),
                       pl.DataFrame(schema=QUARANTINE_SCHEMA))
    return _Parsed(sha, meta, detected, None, notes, messages.with_columns(pl.lit(sha).alias("archive_sha256")),
                   quarantine.with_columns(pl.lit(sha).alias("archive_sha256")))


def _store(parsed: _Parsed, messages: pl.DataFrame, settings: Settings) -> ArchiveFile:
    """Replace the lake's outputs of one archive with its classified rows and record it."""
    sha = parsed.sha
    _remove_outputs(sha, settings)
    messages = messages.select(list(LAKE_SCHEMA))
    days = messages.get_column("created_at").dt.date()
    for (day,), part in messages.with_columns(days.alias("_day")).partition_by("_day", as_dict=True).items():
        write_parquet(part.drop("_day"), settings.messages_dir / f"date={day}" / f"{sha}.parquet")
    quarantine = parsed.quarantine.select(list(QUARANTINE_SCHEMA))
    write_parquet(quarantine, settings.quarantine_dir / f"{sha}.parquet")
    record = ArchiveFile(
        sha256=sha, source=parsed.meta["source"], name=parsed.meta["name"], format=parsed.detected,
        status="rejected" if parsed.error else "loaded", error=parsed.error, notes="; ".join(parsed.notes) or None,
        records_read=messages.height + quarantine.height, records_loaded=messages.height,
        records_quarantined=quarantine.height, size_bytes=(settings.archives_dir / sha / STORED_NAME).stat().st_size,
        registered_at=datetime.fromisoformat(parsed.meta["registered_at"]),
    )
    _write_record(record, settings)
    return record


def normalise_many(shas: Iterable[str], settings: Settings, fmt: str = "auto") -> list[ArchiveFile]:
    """Parse registered archives into the lake, replacing any earlier output for them.

    ``fmt`` names the format, or ``auto`` to detect it from each file's content. A file that
    cannot be read at all is recorded as rejected with the reason; nothing of it is loaded.
    The messages of all the files are classified together: the classifier's cost is mostly
    per call, and archives often come as hundreds of small pages.
    """
    parsed = [_parse(sha, settings, fmt) for sha in shas]
    if not parsed:
        return []
    ensure_lake(settings)
    classified = classify_messages(pl.concat([p.messages for p in parsed], how="vertical"))
    by_archive = classified.partition_by("archive_sha256", as_dict=True)
    empty = classified.clear()
    return [_store(p, by_archive.get((p.sha,), empty), settings) for p in parsed]


def normalise(sha: str, settings: Settings, fmt: str = "auto") -> ArchiveFile:
    """Parse one registered archive into the lake (see normalise_many)."""
    return normalise_many([sha], settings, fmt)[0]


def _write_record(record: ArchiveFile, settings: Settings) -> None:
    write_parquet(pl.DataFrame([asdict(record)], schema=FILE_SCHEMA), settings.lake_dir / "files" / f"{record.sha256}.parquet")


def _refused(candidate: Candidate, settings: Settings) -> ArchiveFile:
    """Record a candidate that could not be fetched or extracted: reported, nothing loaded."""
    key = _refusal_key(candidate.source)
    existing = settings.lake_dir / "files" / f"{key}.parquet"
    registered_at = (pl.read_parquet(existing)["registered_at"][0] if existing.exists()
                     else datetime.now(timezone.utc))
    record = ArchiveFile(
        sha256=key, source=candidate.source, name=candidate.name, format=None, status="rejected",
        error=candidate.error, notes="refused before reading: sha256 is a hash of the source, not of content",
        records_read=0, records_loaded=0, records_quarantined=0, size_bytes=0, registered_at=registered_at,
    )
    ensure_lake(settings)
    write_parquet(pl.DataFrame(schema=QUARANTINE_SCHEMA), settings.quarantine_dir / f"{key}.parquet")
    _write_record(record, settings)
    return record


def registered(settings: Settings) -> list[str]:
    """Content hashes of every registered archive, in registration order."""
    if not settings.archives_dir.exists():
        return []
    metas = [json.loads(p.read_text()) for p in settings.archives_dir.glob("*/source.json")]
    return [m["sha256"] for m in sorted(metas, key=lambda m: (m["registered_at"], m["sha256"]))]


def pending(settings: Settings) -> list[str]:
    """Registered archives that have not been normalised yet."""
    files = settings.lake_dir / "files"
    return [sha for sha in registered(settings) if not (files / f"{sha}.parquet").exists()]


def load_archive_files(settings: Settings) -> pl.DataFrame:
    """Every normalised archive's record (FILE_SCHEMA), in registration order."""
    ensure_lake(settings)
    frames = [pl.read_parquet(p) for p in sorted((settings.lake_dir / "files").glob("*.parquet"))]
    return pl.concat(frames, how="vertical").sort("registered_at", "sha256")


def ingest(
    sources: Iterable[str],
    settings: Settings,
    on_file: Callable[[ArchiveFile, bool], None] | None = None,
    fmt: str = "auto",
) -> list[ArchiveFile]:
    """Register and normalise every archive the sources name; one bad file never stops the rest.

    ``on_file(record, is_new)`` is called after each file, for progress reporting. Sources that
    match nothing raise FileNotFoundError before anything is registered.
    """
    sources = list(sources)
    for source in sources:
        if not is_url(source) and not Path(source).expanduser().exists() and not glob.glob(source, recursive=True):
            raise FileNotFoundError(f"no archive file matches {source!r}")
    records: list[ArchiveFile] = []
    # files to normalise are batched (one classifier call per batch); output keeps their order
    queue: list[tuple[ArchiveFile | str, bool]] = []
    queued_bytes = 0

    def flush() -> None:
        nonlocal queued_bytes
        shas = [item for item, _ in queue if isinstance(item, str)]
        normalised = iter(normalise_many(shas, settings, fmt))
        for item, is_new in queue:
            record = next(normalised) if isinstance(item, str) else item
            records.append(record)
            if on_file:
                on_file(record, is_new)
        queue.clear()
        queued_bytes = 0

    (settings.home / "tmp").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.home / "tmp", prefix="fetch-") as workdir:
        for candidate in collect(sources, Path(workdir)):
            try:
                sha, is_new = register(candidate, settings)
            except SourceError as exc:
                candidate, is_new = replace(candidate, path=None, error=str(exc)), False
                sha = _refusal_key(candidate.source)
            files = settings.lake_dir / "files" / f"{sha}.parquet"
            if candidate.path is None:
                queue.append((_refused(candidate, settings), is_new))
            elif is_new or not files.exists():
                queue.append((sha, is_new))
                queued_bytes += (settings.archives_dir / sha / STORED_NAME).stat().st_size
            else:
                queue.append((ArchiveFile(**pl.read_parquet(files).row(0, named=True)), is_new))
            if queued_bytes >= BATCH_BYTES or len(queue) >= BATCH_FILES:
                flush()
        flush()
    return records


def lake_dates(settings: Settings) -> tuple[date, date] | None:
    """The first and last UTC dates of the posts in the lake (profiles, say when an account was
    created, are not posts); None when it is empty."""
    import duckdb

    ensure_lake(settings)
    with duckdb.connect() as con:
        low, high = con.execute(
            "select min(created_at)::date, max(created_at)::date from read_parquet($glob) "
            "where kind in ('post', 'repost', 'delete')",
            {"glob": str(settings.messages_dir / "*" / "*.parquet")},
        ).fetchone()
    return None if low is None else (low, high)


def archive_dates(settings: Settings, shas: Iterable[str]) -> tuple[date, date] | None:
    """The first and last UTC dates the given archives hold messages for (from the lake's
    date partitions); None when they hold none."""
    days = sorted(
        date.fromisoformat(path.parent.name.removeprefix("date="))
        for sha in set(shas)
        for path in settings.messages_dir.glob(f"date=*/{sha}.parquet")
    )
    return (days[0], days[-1]) if days else None


def reconcile(settings: Settings) -> pl.DataFrame:
    """Archive files whose counts do not add up: read != loaded + quarantined, or the lake
    holds a different number of rows than the file's record says. Empty when all is well.
    """
    import duckdb

    ensure_lake(settings)
    query = """
        with files as (select * from read_parquet($files)),
        loaded as (select archive_sha256 as sha256, count(*) as lake_loaded
                   from read_parquet($messages, union_by_name = true) group by all),
        quarantined as (select archive_sha256 as sha256, count(*) as lake_quarantined
                        from read_parquet($quarantine) group by all)
        select coalesce(f.sha256, l.sha256, q.sha256) as sha256, f.name, f.records_read, f.records_loaded,
               f.records_quarantined, coalesce(l.lake_loaded, 0) as lake_loaded,
               coalesce(q.lake_quarantined, 0) as lake_quarantined
        from files as f
        full join loaded as l using (sha256)
        full join quarantined as q using (sha256)
        where f.sha256 is null
           or f.records_read <> f.records_loaded + f.records_quarantined
           or f.records_loaded <> coalesce(l.lake_loaded, 0)
           or f.records_quarantined <> coalesce(q.lake_quarantined, 0)
        order by sha256
    """
    with duckdb.connect() as con:
        return con.sql(query, params={
            "files": str(settings.lake_dir / "files" / "*.parquet"),
            "messages": str(settings.messages_dir / "*" / "*.parquet"),
            "quarantine": str(settings.quarantine_dir / "*.parquet"),
        }).pl()
