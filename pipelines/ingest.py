"""Register archive files (once, by content hash) and normalise them into the Parquet lake.

Layout below ``BRANDCARE_HOME``::

    archives/<sha256>/<name>             content-addressed copy of each archive file
    archives/<sha256>/source.json        where it came from and when it was registered
    lake/files/<sha256>.parquet          one row: format, status, error, record counts
    lake/messages/date=<UTC date>/<sha256>.parquet   canonical rows + classifications
    lake/quarantine/<sha256>.parquet     records that could not be read, with a reason

Normalising is a pure function of the file's content: re-running it replaces the same
outputs, so registering or normalising a file twice never adds rows.
"""

from __future__ import annotations

import glob
import gzip
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import polars as pl

from pipelines.canonical import LAKE_SCHEMA, QUARANTINE_SCHEMA
from pipelines.classify import classify_messages
from pipelines.formats import ArchiveError, detect_format, read_archive
from pipelines.settings import Settings

FILE_SCHEMA: dict[str, pl.DataType] = {
    "sha256": pl.String,
    "source": pl.String,
    "name": pl.String,
    "format": pl.String,
    "status": pl.String,
    "error": pl.String,
    "records_read": pl.Int64,
    "records_loaded": pl.Int64,
    "records_quarantined": pl.Int64,
    "size_bytes": pl.Int64,
    "registered_at": pl.Datetime("us", "UTC"),
}

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
    records_read: int
    records_loaded: int
    records_quarantined: int
    size_bytes: int
    registered_at: datetime


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


def expand_sources(sources: Iterable[str]) -> list[str]:
    """Files, folders (recursively), globs and http(s) URLs -> a sorted list of files and URLs."""
    found: list[str] = []
    for source in sources:
        if source.startswith(("http://", "https://")):
            found.append(source)
            continue
        path = Path(source).expanduser()
        if path.is_dir():
            found.extend(str(p) for p in sorted(path.rglob("*")) if p.is_file() and not p.name.startswith("."))
        elif path.is_file():
            found.append(str(path))
        else:
            matches = sorted(p for p in glob.glob(source, recursive=True) if Path(p).is_file())
            if not matches:
                raise FileNotFoundError(f"no archive file matches {source!r}")
            found.extend(matches)
    return found


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _download(url: str, into: Path) -> Path:
    import httpx

    target = into / Path(httpx.URL(url).path).name or "download"
    transport = httpx.HTTPTransport(retries=3)
    with httpx.Client(transport=transport, follow_redirects=True, timeout=60) as client:
        with client.stream("GET", url) as response:
            response.raise_for_status()
            with target.open("wb") as out:
                for chunk in response.iter_bytes():
                    out.write(chunk)
    return target


def register(source: str, settings: Settings) -> tuple[str, Path, bool]:
    """Copy one archive into the content-addressed store. Returns (sha256, stored path, is_new)."""
    settings.archives_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.archives_dir, prefix=".incoming-") as tmp:
        if source.startswith(("http://", "https://")):
            local = _download(source, Path(tmp))
            origin = source
        else:
            local = Path(source).expanduser().resolve()
            origin = str(local)
        sha = _sha256(local)
        folder = settings.archives_dir / sha
        stored = folder / local.name
        if (folder / "source.json").exists():
            return sha, next(p for p in folder.iterdir() if p.name != "source.json"), False
        staging = Path(tmp) / "store"
        staging.mkdir()
        shutil.copyfile(local, staging / local.name)
        meta = {"sha256": sha, "source": origin, "name": local.name,
                "registered_at": datetime.now(timezone.utc).isoformat()}
        (staging / "source.json").write_text(json.dumps(meta, indent=2))
        os.replace(staging, folder)
        return sha, stored, True


@contextmanager
def _plain_file(path: Path) -> Iterator[Path]:
    """The archive itself, or a decompressed temporary copy of a gzip file beside it."""
    with path.open("rb") as raw:
        is_gzip = raw.read(2) == b"\x1f\x8b"
    if not is_gzip:
        yield path
        return
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".plain-") as tmp:
        plain = Path(tmp) / path.name.removesuffix(".gz")
        try:
            with gzip.open(path, "rb") as src, plain.open("wb") as dst:
                shutil.copyfileobj(src, dst)
        except (OSError, EOFError) as exc:
            raise ArchiveError(f"damaged gzip file: {exc}") from exc
        yield plain


def write_parquet(frame: pl.DataFrame, target: Path) -> None:
    """Write a Parquet file atomically (temp file + rename), creating its folder."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    frame.write_parquet(tmp)
    os.replace(tmp, target)


def _remove_outputs(sha: str, settings: Settings) -> None:
    for old in settings.messages_dir.glob(f"date=*/{sha}.parquet"):
        old.unlink()


def normalise(sha: str, settings: Settings, fmt: str = "auto") -> ArchiveFile:
    """Parse one registered archive into the lake, replacing any earlier output for it.

    ``fmt`` names the format, or ``auto`` to detect it from the content.
    """
    folder = settings.archives_dir / sha
    meta = json.loads((folder / "source.json").read_text())
    stored = folder / meta["name"]
    error: str | None = None
    try:
        with _plain_file(stored) as plain:
            fmt = detect_format(plain) if fmt == "auto" else fmt
            parsed = read_archive(plain, fmt)
        messages = classify_messages(parsed.messages).with_columns(pl.lit(sha).alias("archive_sha256"))
        quarantine = parsed.quarantine.with_columns(pl.lit(sha).alias("archive_sha256"))
    except ArchiveError as exc:
        error = str(exc)
        messages = pl.DataFrame(schema=LAKE_SCHEMA)
        quarantine = pl.DataFrame(schema=QUARANTINE_SCHEMA)

    ensure_lake(settings)
    _remove_outputs(sha, settings)
    messages = messages.select(list(LAKE_SCHEMA))
    days = messages.get_column("created_at").dt.date()
    for (day,), part in messages.with_columns(days.alias("_day")).partition_by("_day", as_dict=True).items():
        write_parquet(part.drop("_day"), settings.messages_dir / f"date={day}" / f"{sha}.parquet")
    write_parquet(quarantine.select(list(QUARANTINE_SCHEMA)), settings.quarantine_dir / f"{sha}.parquet")
    record = ArchiveFile(
        sha256=sha, source=meta["source"], name=meta["name"], format=None if fmt == "auto" else fmt,
        status="rejected" if error else "loaded", error=error,
        records_read=messages.height + quarantine.height, records_loaded=messages.height,
        records_quarantined=quarantine.height, size_bytes=stored.stat().st_size,
        registered_at=datetime.fromisoformat(meta["registered_at"]),
    )
    write_parquet(pl.DataFrame([asdict(record)], schema=FILE_SCHEMA), settings.lake_dir / "files" / f"{sha}.parquet")
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

    ``on_file(record, is_new)`` is called after each file, for progress reporting.
    """
    records = []
    for source in expand_sources(sources):
        sha, _, is_new = register(source, settings)
        files = settings.lake_dir / "files" / f"{sha}.parquet"
        if is_new or not files.exists():
            record = normalise(sha, settings, fmt)
        else:
            record = ArchiveFile(**pl.read_parquet(files).row(0, named=True))
        records.append(record)
        if on_file:
            on_file(record, is_new)
    return records


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
