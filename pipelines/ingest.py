"""Register archive files (once, by content hash) and normalise them into the Parquet lake.

Layout below ``BRANDCARE_HOME``::

    archives/<sha256>/content            content-addressed copy of each archive file
    archives/<sha256>/companions/        files a reader needs beside it (account.js)
    archives/<sha256>/source.json        where it came from, its name, when it was registered
    lake/archive_files/part-<id>.parquet one row per archive file of the part: format, status,
                                         error, notes, record counts (the part's commit)
    lake/message_rows/part-<id>.parquet  the part's canonical rows + classifications
    lake/quarantine/part-<id>.parquet    the part's records that could not be read, with a reason
    lake/writer.lock                     the lake's one-writer lock (flock)
    lake/tmp/ingest-<pid>-*/             work files of a running ingest

One ingest at a time writes a lake (``lake_lock``: flock on lake/writer.lock, freed by the
operating system however the process ends), so whatever the lake holds that is not committed
was left by a dead writer.

Files are normalised in batches (up to BATCH_FILES files or BATCH_BYTES of archive). Within
a batch, files are prepared and detected one by one, and read and classified in small groups
(up to READ_GROUP_FILES files or READ_GROUP_BYTES of archive: one DuckDB statement for the X
v2 files of a group, one classifier call; a large file is a group of its own). The files of
a group are stored as soon as the group is read, as one *small part* (``part-<id>-small``).
A part is committed by its ``archive_files/`` file, renamed into place last, once its rows
are synced to disk: a kill loses at most the group in hand, which the next ingest reads
again, and never a stored file. When the batch ends, its small parts are compacted into one
part per table (few, large Parquet files): the merged part is committed like any other,
then the small parts are removed, record first. A kill during compaction leaves every file
in its small part, in the merged part or in both; the next ingest or run repairs it (see
``_repair``).

Every file is isolated: any failure while preparing, detecting, reading, checking or
storing one file (ArchiveError, RecursionError from JSON nested too deeply, MemoryError, a
reader bug) rejects that file with a reason naming the failure, and the others go on.

Normalising is a pure function of the file's content: an archive file is recorded once,
re-ingesting it is a no-op, and re-reading it (``--format`` on a file rejected before, or
read as another format) replaces its rows: the newer part wins, the older is rewritten
without it. Every ingest (and every run's lake step) first repairs what a killed one left:
uncommitted parts and work folders of dead processes are removed, an archive file recorded
by two parts is kept in the newer only, and small parts are compacted.
"""

from __future__ import annotations

import glob
import hashlib
import json
import logging
import os
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import polars as pl

from pipelines.canonical import EARLIEST_DAY, LAKE_SCHEMA, QUARANTINE_SCHEMA
from pipelines.classify import classify_messages
from pipelines.formats import ArchiveError, detect_format, read_archive
from pipelines.formats.base import reader_database
from pipelines.formats.bluesky import read_bluesky_many
from pipelines.formats.decode import prepare
from pipelines.formats.x_v2 import read_x_v2_many
from pipelines.locks import held_flock
from pipelines.settings import HomeDamagedError, Settings, connect_duckdb
from pipelines.sources import Candidate, SourceError, collect, is_url, unicode_text

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
    # what read the file (NULL: a version before they were recorded): reading_versions()
    "readers_version": pl.String,
    "classifier_version": pl.String,
}

#: The code and data that turn an archive file into lake rows (paths under pipelines/): the
#: readers, the canonical rules, the lexicon rules and the classifiers' features.
READER_CODE = ("formats", "canonical.py", "classify.py", "lexicons", "classifier/features.py",
               "classifier/model.py")
REREAD_ADVICE = "`brandcare ingest --reread` reads them again with this version"


@lru_cache(maxsize=1)
def reading_versions() -> dict[str, str]:
    """What this installation reads archive files with: ``readers_version``, a fingerprint of
    :data:`READER_CODE` (12 hex digits of a SHA-256 over the files), and ``classifier_version``,
    the trained classifiers' version. Recorded with every file read, so that a home upgraded
    since (other readers, retrained classifiers: other ids, texts or labels) can tell which of
    its files hold rows another version read (QA: an upgraded home published labels of the old
    classifiers under the new one's name, and doubled the messages of readers whose ids changed)."""
    from pipelines.classifier.model import MODEL_DIR, load_card

    package = Path(__file__).parent
    digest = hashlib.sha256()
    for name in READER_CODE:
        root = package / name
        for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return {"readers_version": digest.hexdigest()[:12], "classifier_version": load_card(MODEL_DIR)["version"]}


def read_by_other_versions(settings: Settings, files: pl.DataFrame) -> pl.DataFrame:
    """The registered files of ``files`` (FILE_SCHEMA) that another version of the readers, or
    of the classifiers (for a loaded file), read: their rows may differ from what this version
    reads. A source refused before it was read is not among them (nothing of it to read again)."""
    current = reading_versions()
    stored = set(registered(settings))
    other_readers = pl.col("readers_version").ne_missing(current["readers_version"])
    other_classifier = (pl.col("status") == "loaded") & pl.col("classifier_version").ne_missing(
        current["classifier_version"])
    return files.filter(pl.col("sha256").is_in(list(stored)) & (other_readers | other_classifier))

SOURCE_FILE = "source.json"
#: Normalise in batches of at most this many files / bytes of archive (memory stays bounded).
BATCH_FILES = 500
BATCH_BYTES = 256 << 20
STORED_NAME = "content"
#: A timestamp later than now + this is not believed (clock errors, placeholder dates).
FUTURE_TOLERANCE = timedelta(days=1)

#: A placeholder in each lake folder, so that the lake's globs always match a file with the right schema.
EMPTY_FILE = "_empty.parquet"
PART_PREFIX = "part-"
#: The end of a small part's id: the files of one read group, stored as soon as they were read,
#: compacted with the batch's other small parts when the batch ends.
SMALL_PART_SUFFIX = "-small"
WORK_PREFIX = "ingest-"
LOCK_FILE = "writer.lock"
#: Files are read and classified in groups of at most this many files / bytes of archive: the
#: readers and the classifier cost mostly per call (on the 20,000-message sample, its 153 X v2
#: pages read in 22 s one statement each, 1.8 s in one; its 171 files classified in 18 s one
#: call each, 2.5 s in one), so small files share a call, and a large file is a group of its
#: own. The files of a group are stored as soon as the group is read: a kill loses at most it.
#: Not one file per group: even with one DuckDB database per ingest (see _readers), an X v2
#: page read alone costs about 45 ms against 8 ms in a statement of many (DuckDB binds and
#: plans the query again per statement), and reading + storing each file alone with a
#: classifier call per group took 16 s against 6 s on that sample (docs/design.md, "Why a
#: group and not one file").
READ_GROUP_FILES = 64
READ_GROUP_BYTES = 8 << 20
#: Readers that read many files in one statement (much cheaper than one statement per file).
MANY_READERS: dict[str, Callable[[list[Path]], list]] = {"x_v2": read_x_v2_many, "bluesky": read_bluesky_many}

log = logging.getLogger(__name__)


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
    readers_version: str | None = None  # None: read by a version before they were recorded
    classifier_version: str | None = None

    def summary(self) -> str:
        """One line for logs: format and counts, or why the file was rejected."""
        if self.status == "rejected":
            return f"{self.name}: rejected: {self.error}"
        return (f"{self.name}: {self.format}, read {self.records_read}, loaded {self.records_loaded}, "
                f"quarantined {self.records_quarantined}")


def _lake_folders(settings: Settings) -> dict[str, tuple[Path, dict[str, pl.DataType]]]:
    """The lake's three tables (named as their assets and dbt sources): folder and schema.
    ``archive_files`` is the commit record of a part."""
    return {
        "archive_files": (settings.archive_files_dir, FILE_SCHEMA),
        "message_rows": (settings.message_rows_dir, LAKE_SCHEMA),
        "quarantine": (settings.quarantine_dir, QUARANTINE_SCHEMA),
    }


#: Folders of the lake's tables before they took their tables' names: old name -> table.
OLD_LAKE_FOLDERS = {"files": "archive_files", "messages": "message_rows"}


def ensure_lake(settings: Settings) -> None:
    """Create the lake folders and their empty, typed placeholder files. A home written before
    the folders took their tables' names has its old folders renamed, once."""
    for old, table in OLD_LAKE_FOLDERS.items():
        folder, old_folder = _lake_folders(settings)[table][0], settings.lake_dir / old
        if old_folder.is_dir() and not folder.exists():
            os.rename(old_folder, folder)
        elif old_folder.is_dir() and any(p.name != EMPTY_FILE for p in old_folder.iterdir()):
            raise RuntimeError(f"the lake holds both {old_folder} (its old name) and {folder}: "
                               f"move the parts of {old_folder} into {folder}, then remove it")
    for folder, schema in _lake_folders(settings).values():
        folder.mkdir(parents=True, exist_ok=True)
        placeholder = folder / EMPTY_FILE
        # a home written before a column was added: its placeholder brings the column (NULL in
        # the older parts) to the lake's readers, which read the parts by name
        if not placeholder.exists() or pl.read_parquet_schema(placeholder) != schema:
            write_parquet(pl.DataFrame(schema=schema), placeholder)


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's content (its key in the store)."""
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
    sha = file_sha256(candidate.path)
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
                "registered_at": datetime.now(UTC).isoformat()}
        (staging / SOURCE_FILE).write_text(json.dumps(meta, indent=2))
        os.replace(staging, folder)
    return sha, True


def add_companions(candidate: Candidate, settings: Settings, sha: str) -> bool:
    """Store the companions a registered file lacked (account.js, found beside a tweets.js that
    an earlier ingest read alone: its posts were quarantined, author unknown); True when one was
    added, and the file is to be read again."""
    target = settings.archives_dir / sha / "companions"
    added = False
    for companion in candidate.companions:
        if not (target / companion.name).exists():
            target.mkdir(parents=True, exist_ok=True)
            scratch = target / f".{companion.name}.tmp"
            shutil.copyfile(companion, scratch)
            os.replace(scratch, target / companion.name)
            added = True
    return added


def write_parquet(frame: pl.DataFrame, target: Path) -> None:
    """Write a Parquet file atomically (temp file + rename), creating its folder."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    frame.write_parquet(tmp)
    os.replace(tmp, target)


# --- work folders ------------------------------------------------------------------------


def process_alive(pid: int) -> bool:
    """Whether a process of this machine with that pid still runs: not a zombie, a killed
    process its parent has not reaped yet, which signal 0 still finds (QA: a run killed with
    kill -9 kept the warehouse, and the next run waited on it for good)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        # /proc/<pid>/stat: "pid (comm) state ...", comm may hold spaces and parentheses
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):  # no /proc (macOS): signal 0 is the answer
        return True


#: Locks this process holds: (lock path, thread) -> depth, so that lake_lock is re-entrant.
_held_locks: dict[tuple[str, int], int] = {}


@contextmanager
def lake_lock(settings: Settings, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the lake's one-writer lock; wait (saying for whom) while another process holds it.

    ``flock`` on ``lake/writer.lock``: the operating system frees it however its process ends,
    so a killed ingest never blocks the next, and while it is held whatever the lake holds
    that is not committed was left by a dead writer. Re-entrant within a thread.
    """
    path = settings.lake_dir / LOCK_FILE
    key = (str(path), threading.get_ident())
    if key in _held_locks:
        _held_locks[key] += 1
        try:
            yield
        finally:
            _held_locks[key] -= 1
        return
    with held_flock(path, f"the ingest of pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}",
                    "another ingest", on_wait, "waiting for {holder} to finish writing the lake (lock {path})"):
        _held_locks[key] = 1
        try:
            yield
        finally:
            del _held_locks[key]


@contextmanager
def _work_folder(settings: Settings) -> Iterator[Path]:
    """A private work folder below lake/tmp, named after this process, removed at the end
    (or by the next ingest when this process is killed)."""
    root = settings.lake_dir / "tmp"
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=root, prefix=f"{WORK_PREFIX}{os.getpid()}-"))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _readers(settings: Settings):
    """The one DuckDB database of an ingest's reader calls (see reader_database): its memory
    limit from the settings, its spill files in a folder of their own below the home's temp
    folder (the lake lock keeps it to one ingest; dbt spills to its own)."""
    return reader_database(settings.duckdb_config("ingest"))


def _remove_dead_work_folders(settings: Settings) -> None:
    """Work folders of ingests whose process is gone (killed): removed."""
    root = settings.lake_dir / "tmp"
    for folder in root.glob(f"{WORK_PREFIX}*") if root.is_dir() else ():
        pid = folder.name.removeprefix(WORK_PREFIX).split("-", 1)[0]
        if not pid.isdigit() or not process_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


# --- reading one batch of files -----------------------------------------------------------


def _checked(messages: pl.DataFrame, quarantine: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rules every reader shares: no timestamp in the future or before EARLIEST_DAY; one id, one
    content per file."""
    future = pl.col("created_at") > pl.lit(datetime.now(UTC) + FUTURE_TOLERANCE)
    too_early = pl.col("created_at") < pl.lit(datetime.combine(EARLIEST_DAY, datetime.min.time(), UTC))
    first_position = pl.col("position").min().over("version_id")
    content = pl.concat_str([pl.col("author_id"), pl.col("created_at").cast(pl.String), pl.col("text"), pl.col("kind")],
                            separator="\x1f", ignore_nulls=True)
    differs = pl.col("_content").n_unique().over("version_id") > 1
    flagged = messages.with_columns(_content=content).with_columns(
        pl.when(future)
        .then(pl.lit("timestamp in the future: ") + pl.col("created_at").dt.to_string("%Y-%m-%dT%H:%M:%SZ"))
        .when(too_early)
        .then(pl.lit(f"timestamp before {EARLIEST_DAY} (a placeholder date): ")
              + pl.col("created_at").dt.to_string("%Y-%m-%dT%H:%M:%SZ"))
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
    """One archive file on its way into the lake."""

    sha: str
    meta: dict
    work: Path  # its private work folder (error messages never show it)
    readable: Path | None = None
    detected: str | None = None
    error: str | None = None
    notes: list[str] | None = None
    messages: pl.DataFrame | None = None  # canonical rows (then classified)
    quarantine: pl.DataFrame | None = None

    def reject(self, stage: str, exc: BaseException) -> None:
        """Record why the file cannot be read (any failure), naming it, without work paths."""
        if isinstance(exc, ArchiveError):
            reason = str(exc)
        else:
            known = {RecursionError: f"nested too deeply ({exc})", MemoryError: "out of memory"}
            detail = known.get(type(exc), str(exc))
            reason = f"{stage}: {type(exc).__name__}: {detail}"
        self.error = reason.replace(f"{self.work}{os.sep}", "").replace(str(self.work), "")
        self.messages = self.quarantine = None

    def read(self, result) -> None:
        """Keep a reader's result, after the rules every format shares."""
        try:
            messages, quarantine = _checked(result.messages, result.quarantine)
        except Exception as exc:  # noqa: BLE001 - any failure rejects this file only
            self.reject("checking records failed", exc)
            return
        self.messages = messages.with_columns(pl.lit(self.sha).alias("archive_sha256"))
        self.quarantine = quarantine.with_columns(pl.lit(self.sha).alias("archive_sha256"))
        self.notes = [*(self.notes or []), *result.notes]

    def record(self, settings: Settings) -> ArchiveFile:
        loaded = 0 if self.error else self.messages.height
        quarantined = 0 if self.error else self.quarantine.height
        notes = list(self.notes or [])
        if not loaded and quarantined:  # said where the user looks (QA: the reason was in the lake alone)
            reason, count = self.quarantine["reason"].value_counts(sort=True).row(0)
            notes.insert(0, f"nothing loaded: every record quarantined, {count} of {quarantined} as {reason!r}")
        return ArchiveFile(
            sha256=self.sha, source=self.meta["source"], name=self.meta["name"], format=self.detected,
            status="rejected" if self.error else "loaded", error=self.error, notes="; ".join(notes) or None,
            records_read=loaded + quarantined, records_loaded=loaded, records_quarantined=quarantined,
            size_bytes=(settings.archives_dir / self.sha / STORED_NAME).stat().st_size,
            registered_at=datetime.fromisoformat(self.meta["registered_at"]),
            readers_version=reading_versions()["readers_version"],
            classifier_version=None if self.error else reading_versions()["classifier_version"],
        )


def _prepare(sha: str, settings: Settings, fmt: str, work: Path) -> _Parsed:
    """The stored archive decompressed and made UTF-8 in its own work folder, beside its
    companions (account.js beside a personal archive's tweets.js), and its format."""
    folder = settings.archives_dir / sha
    meta = json.loads((folder / SOURCE_FILE).read_text())
    parsed = _Parsed(sha=sha, meta=meta, work=work / sha[:16])
    stage = "preparing the file failed"
    try:
        parsed.work.mkdir()
        for companion in (folder / "companions").glob("*"):
            shutil.copyfile(companion, parsed.work / companion.name)
        original = parsed.work / Path(meta["name"]).name
        try:
            os.link(folder / STORED_NAME, original)  # no copy of a large archive when a link will do
        except OSError:
            shutil.copyfile(folder / STORED_NAME, original)
        parsed.readable, parsed.notes = prepare(original, parsed.work)
        stage = "detecting the format failed"
        parsed.detected = detect_format(parsed.readable) if fmt == "auto" else fmt
    except Exception as exc:  # noqa: BLE001 - any failure rejects this file only
        parsed.reject(stage, exc)
        parsed.detected = parsed.detected or getattr(exc, "fmt", None)  # a damaged file of a known format
    return parsed


def _read_all(batch: list[_Parsed]) -> None:
    """Read every prepared file of the batch: together where a reader can, else one by one."""
    readable = [p for p in batch if p.error is None]
    for fmt in dict.fromkeys(p.detected for p in readable):
        group = [p for p in readable if p.detected == fmt]
        together: Exception | None = None
        if fmt in MANY_READERS and len(group) > 1:
            try:
                results = MANY_READERS[fmt]([p.readable for p in group])
            except Exception as exc:  # noqa: BLE001 - one bad file fails the statement: read them one by one
                together = exc
            else:
                for parsed, result in zip(group, results, strict=False):
                    parsed.read(result)
                continue
        for parsed in group:
            try:
                result = read_archive(parsed.readable, fmt)
            except Exception as exc:  # noqa: BLE001 - any failure rejects this file only
                parsed.reject(f"reading as {fmt} failed", exc)
            else:
                parsed.read(result)
        if together is not None and all(p.error is None for p in group):
            # no file was at fault: the statement of many failed by itself (as it did for every group of
            # JSON documents while the reader's buffers were sized at 1 GiB), and reading file by file is slower
            log.warning(
                "%d %s files failed as one statement (%s) but each read alone: they were read one per statement,"
                " several times slower; please report it", len(group), fmt, str(together).splitlines()[0],
            )


def _classify_all(batch: list[_Parsed]) -> None:
    """Classify the batch's messages in one call (its cost is mostly per call); file by file
    only when that fails, so that a failure rejects only its file."""
    loaded = [p for p in batch if p.error is None]
    if not loaded:
        return
    try:
        classified = classify_messages(pl.concat([p.messages for p in loaded], how="vertical"))
        by_archive = classified.partition_by("archive_sha256", as_dict=True)
        empty = classified.clear()
        for parsed in loaded:
            parsed.messages = by_archive.get((parsed.sha,), empty)
    except Exception:  # noqa: BLE001
        for parsed in loaded:
            try:
                parsed.messages = classify_messages(parsed.messages)
            except Exception as exc:  # noqa: BLE001 - any failure rejects this file only
                parsed.reject("classifying messages failed", exc)


# --- parts: how files are stored ------------------------------------------------------------


def _new_part(suffix: str = "") -> str:
    """A part id; ids sort in creation order."""
    return f"{PART_PREFIX}{time.time_ns():020d}-{secrets.token_hex(4)}{suffix}"


def _sync(path: Path) -> None:
    """Flush a file's (or a folder's entries') writes to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _commit(settings: Settings, records: list[ArchiveFile] | pl.DataFrame, messages: pl.DataFrame,
            quarantine: pl.DataFrame, work: Path, suffix: str = "") -> str:
    """Store one part and return its id: its message rows and quarantine, then its
    archive_files/ record (the commit). Each file is written in the work folder and synced,
    the rows are renamed into place and their folders synced, then the record: a part whose
    record is in place has its rows on disk. A failure removes what it had put in place."""
    part = _new_part(suffix)
    if not isinstance(records, pl.DataFrame):
        records = pl.DataFrame([asdict(r) for r in records], schema=FILE_SCHEMA)
    frames = {"message_rows": messages, "quarantine": quarantine, "archive_files": records}
    staged = []
    for table in ("message_rows", "quarantine", "archive_files"):  # the record last
        folder, schema = _lake_folders(settings)[table]
        frame = frames[table]
        if frame.is_empty() and table != "archive_files":
            continue
        tmp = work / f"{table}-{part}.parquet"
        frame.select([pl.col(c).cast(t) if c in frame.columns else pl.lit(None, t).alias(c) for c, t in schema.items()]
                     ).write_parquet(tmp)
        _sync(tmp)
        staged.append((tmp, folder / f"{part}.parquet"))
    placed: list[Path] = []
    try:
        for tmp, target in staged:
            if target.parent == settings.archive_files_dir:
                for folder in {t.parent for t in placed}:
                    _sync(folder)
            os.replace(tmp, target)
            placed.append(target)
        _sync(settings.archive_files_dir)
    except BaseException:
        for target in reversed(placed):  # the record (if placed) first: the rest is then uncommitted
            target.unlink(missing_ok=True)
        raise
    return part


def _store(group: list[_Parsed | ArchiveFile], settings: Settings, work: Path) -> list[ArchiveFile]:
    """Store a group of archive files (read together) as one small part; when that fails, each
    file alone, a file that cannot be stored being recorded as rejected with the reason. Their
    rows are then dropped from memory: they are on disk."""
    def frames(items):
        parsed = [p for p in items if isinstance(p, _Parsed) and p.error is None]
        messages = pl.concat([pl.DataFrame(schema=LAKE_SCHEMA)] + [p.messages for p in parsed], how="diagonal_relaxed")
        quarantine = pl.concat([pl.DataFrame(schema=QUARANTINE_SCHEMA)] + [p.quarantine for p in parsed],
                               how="diagonal_relaxed")
        return messages.sort("created_at", "archive_sha256", "position"), quarantine

    def records(items):
        return [p.record(settings) if isinstance(p, _Parsed) else p for p in items]

    try:
        _commit(settings, records(group), *frames(group), work, SMALL_PART_SUFFIX)
        stored = records(group)
    except Exception:  # noqa: BLE001 - store the files one by one to find the one that fails
        stored = []
        for item in group:
            try:
                _commit(settings, records([item]), *frames([item]), work, SMALL_PART_SUFFIX)
            except Exception as exc:  # noqa: BLE001
                if not isinstance(item, _Parsed):
                    raise
                item.reject("storing the file failed", exc)
                _commit(settings, records([item]), *frames([item]), work, SMALL_PART_SUFFIX)
            stored += records([item])
    for item in group:
        if isinstance(item, _Parsed):
            item.messages = item.quarantine = None
    return stored


def _part_files(settings: Settings, table: str) -> dict[str, Path]:
    folder = _lake_folders(settings)[table][0]
    return {p.stem: p for p in folder.glob(f"{PART_PREFIX}*.parquet")}


def _recorded(settings: Settings) -> dict[str, ArchiveFile]:
    """Every archive file's record (the newest part's when several parts hold one)."""
    ensure_lake(settings)
    return {row["sha256"]: ArchiveFile(**row)
            for _, path in sorted(_part_files(settings, "archive_files").items())
            for row in pl.read_parquet(path).iter_rows(named=True)}


def _remove_part(settings: Settings, part: str) -> None:
    """Remove a part's files, its record first (the rest is then uncommitted)."""
    for table in ("archive_files", "message_rows", "quarantine"):
        (_lake_folders(settings)[table][0] / f"{part}.parquet").unlink(missing_ok=True)


def _drop_from_part(settings: Settings, part: str, shas: set[str], work: Path) -> None:
    """Rewrite a part without the rows of ``shas`` (as a new part), then remove it."""
    paths = {table: _lake_folders(settings)[table][0] / f"{part}.parquet" for table in _lake_folders(settings)}
    kept = pl.read_parquet(paths["archive_files"]).filter(~pl.col("sha256").is_in(list(shas)))
    if kept.height:
        def rows(table):
            if not paths[table].exists():
                return pl.DataFrame(schema=_lake_folders(settings)[table][1])
            return pl.read_parquet(paths[table]).filter(~pl.col("archive_sha256").is_in(list(shas)))
        _commit(settings, kept, rows("message_rows"), rows("quarantine"), work,
                SMALL_PART_SUFFIX if part.endswith(SMALL_PART_SUFFIX) else "")
    _remove_part(settings, part)


def _compact(settings: Settings, work: Path) -> None:
    """Merge the small parts into one part per table, then remove them.

    Crash-safe by the commit protocol: the merged part is uncommitted until its record is in
    place (a kill before: the next repair removes its rows, the small parts stay); once
    committed it is newer than every small part it merged (a kill before they are all
    removed: the next repair keeps each file in the newer part only, removing the small parts).
    """
    parts = sorted(part for part in _part_files(settings, "archive_files") if part.endswith(SMALL_PART_SUFFIX))
    if len(parts) < 2:
        return

    def merged(table: str) -> pl.DataFrame:
        folder, schema = _lake_folders(settings)[table]
        paths = [path for part in parts if (path := folder / f"{part}.parquet").exists()]
        return pl.concat([pl.DataFrame(schema=schema)] + [pl.read_parquet(path) for path in paths],
                         how="diagonal_relaxed")

    _commit(settings, merged("archive_files"), merged("message_rows").sort("created_at", "archive_sha256", "position"),
            merged("quarantine").sort("archive_sha256", "position"), work)
    for part in parts:
        _remove_part(settings, part)


def _repair(settings: Settings, work: Path) -> None:
    """Undo or finish what a killed ingest left; called with the lake lock held, so nothing
    uncommitted belongs to a live writer. The old lake layout (one file per archive and day)
    is cleared for re-normalising; dead ingests' work folders and uncommitted parts (rows
    without their record: a kill during a commit, or while a part was removed) are removed;
    an archive file recorded by two parts (a file read again; a compaction killed before it
    removed the small parts it merged) is kept in the newer one only; small parts are compacted."""
    ensure_lake(settings)
    if any(settings.message_rows_dir.glob("date=*")):
        for folder, _ in _lake_folders(settings).values():
            for path in folder.iterdir():
                if path.name != EMPTY_FILE:
                    shutil.rmtree(path) if path.is_dir() else path.unlink()
    _remove_dead_work_folders(settings)
    committed = set(_part_files(settings, "archive_files"))
    for table in ("message_rows", "quarantine"):
        for part, path in _part_files(settings, table).items():
            if part not in committed:
                path.unlink(missing_ok=True)
    newest: dict[str, str] = {}
    stale: dict[str, set[str]] = {}
    for part, path in sorted(_part_files(settings, "archive_files").items()):
        for sha in pl.read_parquet(path, columns=["sha256"])["sha256"]:
            if sha in newest:
                stale.setdefault(newest[sha], set()).add(sha)
            newest[sha] = part
    for part, shas in sorted(stale.items()):
        _drop_from_part(settings, part, shas, work)
    _compact(settings, work)


# --- the public entry points ------------------------------------------------------------------


def normalise_many(shas: Iterable[str], settings: Settings, fmt: str = "auto") -> list[ArchiveFile]:
    """Parse registered archives into the lake, replacing any earlier output for them.

    ``fmt`` names the format, or ``auto`` to detect it from each file's content. A file that
    cannot be read at all is recorded as rejected with the reason; nothing of it is loaded.
    The lake is repaired first, even when there is nothing to parse (what a run's lake step
    relies on to finish or discard a killed ingest's work).
    """
    shas = list(dict.fromkeys(shas))
    records: list[ArchiveFile] = []
    with lake_lock(settings), _work_folder(settings) as work, _readers(settings):
        _repair(settings, work)
        batch: list[str] = []
        size = 0
        for sha in shas:
            batch.append(sha)
            size += (settings.archives_dir / sha / STORED_NAME).stat().st_size
            if size >= BATCH_BYTES or len(batch) >= BATCH_FILES or sha == shas[-1]:
                records += _normalise_batch(batch, settings, fmt, work)
                batch, size = [], 0
    return records


def reread(settings: Settings, on_wait: Callable[[str], None] | None = None,
           on_forget: Callable[[ArchiveFile, str], None] | None = None) -> list[ArchiveFile]:
    """Every archive file the home holds, read again with this version's readers (after an upgrade
    that changed one), replacing what earlier versions loaded from it; records in registration
    order. A file is read as the format it was loaded as (a format once forced stays forced);
    a file rejected before is detected again. A rejected file that this version skips when
    found in a folder (a brand registry, a README, a sample's truth.json, binary data: an older
    version read every file of a folder) is forgotten instead: removed from the store and the
    lake, ``on_forget(record, reason)`` told (QA: they stayed rejected for good, every reread
    exiting 3). The companions a newer version reads (note-tweet.js beside a tweets.js) are
    stored first when they are still beside the file where it was ingested from (QA: an
    archive registered before read its long posts cut, stamped as read by this version)."""
    with lake_lock(settings, on_wait):  # re-entrant: normalise_many takes it again
        known = _recorded(settings)
        _forget_skipped(settings, known, on_forget)
        shas = registered(settings)
        for sha in shas:
            _add_companions_beside_source(settings, sha)
        by_format: dict[str, list[str]] = {}
        for sha in shas:
            record = known.get(sha)
            loaded_as = record.format if record is not None and record.status == "loaded" else None
            by_format.setdefault(loaded_as or "auto", []).append(sha)
        records = {r.sha256: r for fmt, group in by_format.items() for r in normalise_many(group, settings, fmt)}
    return [records[sha] for sha in shas]


def _add_companions_beside_source(settings: Settings, sha: str) -> None:
    """Store the companions found beside a registered file's source path, if it is a local file
    still there (a zip's entry or a download has no place to look)."""
    from pipelines.sources import companions_of

    meta = json.loads((settings.archives_dir / sha / SOURCE_FILE).read_text())
    source = Path(meta["source"])
    if is_url(meta["source"]) or "!" in meta["source"] or not source.is_file():
        return
    add_companions(Candidate(meta["source"], meta["name"], source, companions_of(source)), settings, sha)


def _drop_records(settings: Settings, shas: set[str], work: Path) -> None:
    """Remove the records (and rows) of ``shas`` from every part holding them, with the lake lock held."""
    for part, path in sorted(_part_files(settings, "archive_files").items()):
        held = shas & set(pl.read_parquet(path, columns=["sha256"])["sha256"].to_list())
        if held:
            _drop_from_part(settings, part, held, work)


def _forget_skipped(settings: Settings, known: dict[str, ArchiveFile],
                    on_forget: Callable[[ArchiveFile, str], None] | None) -> None:
    """Remove the rejected files that this version would skip (:func:`reread`), with the lake
    lock held: their record first (they hold no rows), then their stored copy."""
    from pipelines.sources import skip_reason

    reasons = {}
    for sha, record in known.items():
        stored = settings.archives_dir / sha / STORED_NAME
        if record.status == "rejected" and stored.is_file() and (reason := skip_reason(stored, record.name)):
            reasons[sha] = reason
    if not reasons:
        return
    with _work_folder(settings) as work:  # one pass over the parts for all of them
        _drop_records(settings, set(reasons), work)
    for sha, reason in reasons.items():
        shutil.rmtree(settings.archives_dir / sha)
        record = known.pop(sha)
        if on_forget:
            on_forget(record, reason)


def _read_groups(items: list[str | ArchiveFile], settings: Settings) -> Iterator[list[str | ArchiveFile]]:
    """The batch's items in order, in groups read together (see READ_GROUP_FILES)."""
    group: list[str | ArchiveFile] = []
    size = 0
    for item in items:
        group.append(item)
        if isinstance(item, str):
            size += (settings.archives_dir / item / STORED_NAME).stat().st_size
        if size >= READ_GROUP_BYTES or len(group) >= READ_GROUP_FILES:
            yield group
            group, size = [], 0
    if group:
        yield group


def _normalise_batch(batch: list[str | ArchiveFile], settings: Settings, fmt: str, work: Path,
                     loaded_before: dict[str, ArchiveFile] | None = None) -> list[ArchiveFile]:
    """Read, classify and store one batch (archive shas, or records of refused sources): group
    by group, each group stored as a small part as soon as it is read; then the batch's small
    parts are compacted into one part. A file of ``loaded_before`` (its earlier, loaded record)
    that a forced format cannot read, or reads loading nothing, keeps that load: its record here
    says so, and nothing of it is stored (QA: a mistyped ``--format`` took a loaded file's
    messages out of the lake)."""
    stored: dict[str, ArchiveFile] = {}
    items = list(dict.fromkeys(batch))
    loaded_before = loaded_before or {}
    for group in _read_groups(items, settings):
        parsed = {sha: _prepare(sha, settings, fmt, work) for sha in group if isinstance(sha, str)}
        _read_all(list(parsed.values()))
        _classify_all(list(parsed.values()))
        # a read that loads nothing (rejected, or every record quarantined) never replaces a load
        kept = {sha for sha, p in parsed.items()
                if sha in loaded_before and loaded_before[sha].records_loaded
                and (p.error is not None or p.messages is None or p.messages.is_empty())}
        for sha in kept:
            earlier, read = loaded_before[sha], parsed[sha]
            quarantined = 0 if read.quarantine is None else read.quarantine.height
            why = read.error or (f"every one of its {quarantined} records quarantined" if quarantined
                                 else "no record read")
            stored[sha] = replace(read.record(settings), status="rejected", format=fmt, error=(
                f"not readable as {fmt}: {why}; nothing changed: its earlier load as "
                f"{earlier.format} is kept ({earlier.records_loaded} records)"))
        to_store = [parsed[item] if isinstance(item, str) else item for item in group if item not in kept]
        for record in _store(to_store, settings, work) if to_store else []:
            stored[record.sha256] = record
        for sha in parsed:
            shutil.rmtree(work / sha[:16], ignore_errors=True)
    _repair(settings, work)  # a file read again replaces its older part's rows; the small parts compacted
    return [stored[b if isinstance(b, str) else b.sha256] for b in batch]


def normalise(sha: str, settings: Settings, fmt: str = "auto") -> ArchiveFile:
    """Parse one registered archive into the lake (see normalise_many)."""
    return normalise_many([sha], settings, fmt)[0]


def _refused(candidate: Candidate) -> ArchiveFile:
    """The record of a candidate that could not be fetched, extracted or registered: reported, nothing loaded."""
    return ArchiveFile(
        sha256=_refusal_key(candidate.source), source=candidate.source, name=candidate.name, format=None,
        status="rejected", error=candidate.error,
        notes="refused before reading: sha256 is a hash of the source, not of content",
        records_read=0, records_loaded=0, records_quarantined=0, size_bytes=0,
        registered_at=datetime.now(UTC),
    )


def registered(settings: Settings) -> list[str]:
    """Content hashes of every registered archive, in registration order."""
    if not settings.archives_dir.exists():
        return []
    metas = [json.loads(p.read_text()) for p in settings.archives_dir.glob("*/source.json")]
    return [m["sha256"] for m in sorted(metas, key=lambda m: (m["registered_at"], m["sha256"]))]


def pending(settings: Settings) -> list[str]:
    """Registered archives that have not been normalised yet (or whose batch a kill lost)."""
    recorded = _recorded(settings)
    return [sha for sha in registered(settings) if sha not in recorded]


def load_archive_files(settings: Settings) -> pl.DataFrame:
    """Every normalised archive's record (FILE_SCHEMA), in registration order: one each (the
    newest part's, as the lake holds it once repaired, even while an ingest compacts)."""
    records = [asdict(r) for r in _recorded(settings).values()]
    return pl.DataFrame(records, schema=FILE_SCHEMA).sort("registered_at", "sha256")


def _rereads(record: ArchiveFile, fmt: str) -> bool:
    """A recorded file is read again only when a format is forced that it was not read as."""
    return fmt != "auto" and (record.status == "rejected" or record.format != fmt)


def check_sources(sources: Iterable[str]) -> None:
    """Raise FileNotFoundError naming the first local source that matches nothing, or that is a
    folder holding no file (before the home is made: QA)."""
    for source in sources:
        if is_url(source):
            continue
        path = Path(source).expanduser()
        if not path.exists() and not glob.glob(source, recursive=True):
            raise FileNotFoundError(f"no archive file matches {source!r}")
        if path.is_dir() and not any(p.is_file() for p in path.rglob("*")):
            raise FileNotFoundError(f"no file in {unicode_text(source)}: nothing to ingest")


def ingest(
    sources: Iterable[str],
    settings: Settings,
    on_file: Callable[[ArchiveFile, bool], None] | None = None,
    fmt: str = "auto",
    on_wait: Callable[[str], None] | None = None,
    on_skip: Callable[[Candidate], None] | None = None,
) -> list[ArchiveFile]:
    """Register and normalise every archive the sources name; one bad file never stops the rest.

    Returns one record per archive file, in the order found: ``status`` says whether it was
    loaded or rejected (and why). A file recorded before is not read again, unless ``fmt``
    forces a format it was not read as (a file rejected before is then read again).
    ``on_file(record, is_new)`` is called after each file, for progress reporting;
    ``on_wait(message)`` when another process is writing the lake and this one must wait;
    ``on_skip(candidate)`` for each file found in a folder or zip that is not an archive file at
    all (``candidate.skipped`` says why: media, an X archive's viewer): neither stored nor recorded.
    Sources that match nothing raise FileNotFoundError before anything is registered.
    """
    sources = list(sources)
    check_sources(sources)
    records: list[ArchiveFile] = []
    # files to normalise are batched (read in groups, stored one by one, compacted); output keeps their order
    queue: list[tuple[ArchiveFile | str, bool, str]] = []  # (file, is_new, the name given now)
    queued_bytes = 0

    with lake_lock(settings, on_wait), _work_folder(settings) as work, _readers(settings):
        _repair(settings, work)
        known = _recorded(settings)

        def flush() -> None:
            nonlocal queued_bytes
            # each archive file once: a sha queued twice, a source refused twice, are one item
            batch = list({(item if isinstance(item, str) else item.sha256): item for item, _, _ in queue
                          if isinstance(item, str) or item.sha256 not in known}.values())
            loaded = {sha: r for sha, r in known.items() if r.status == "loaded"}
            normalised = {r.sha256: r for r in _normalise_batch(batch, settings, fmt, work, loaded)} if batch else {}
            known.update({sha: r for sha, r in normalised.items() if sha not in loaded or r.status == "loaded"})
            for item, is_new, given in queue:
                record = normalised.get(item if isinstance(item, str) else item.sha256) or item
                if not is_new and record.name != given:
                    # content registered before under another name: said under the name given now
                    # (QA: the line named the file of an earlier ingest)
                    record = replace(record, name=given)
                records.append(record)
                if on_file:
                    on_file(record, is_new)
            queue.clear()
            queued_bytes = 0

        queued: set[str] = set()
        for candidate in collect(sources, work / "fetched", managed=settings.managed_paths):
            if candidate.skipped:
                if on_skip:
                    on_skip(candidate)
                continue
            completed = False  # a registered file given the companions it lacked: read again
            try:
                sha, is_new = register(candidate, settings)
                completed = not is_new and candidate.path is not None and add_companions(candidate, settings, sha)
                # refused before (a failed download), read now: its refusal no longer counts (QA); a zip's
                # entries ("<source>!<entry>") answer for the zip's own source
                named = {candidate.source, candidate.source.split("!", 1)[0]}
                refused = {_refusal_key(source) for source in named} & known.keys()
                if candidate.path is not None and refused:
                    _drop_records(settings, refused, work)
                    for key in refused:
                        del known[key]
            except Exception as exc:  # noqa: BLE001 - a file that cannot be registered is refused alone
                candidate, is_new = replace(candidate, path=None, error=f"cannot register: {exc}"), False
                sha = _refusal_key(candidate.source)
            if candidate.path is None:
                # refused before reading: new unless an earlier ingest, or this one, refused it already
                is_new = sha not in known and sha not in queued
                queued.add(sha)
                queue.append((known.get(sha) or _refused(candidate), is_new, candidate.name))
            elif sha in queued:
                queue.append((sha, is_new, candidate.name))
            elif sha in known and not (completed or _rereads(known[sha], fmt)):
                queue.append((known[sha], is_new, candidate.name))
            else:
                queue.append((sha, is_new, candidate.name))
                queued.add(sha)
                queued_bytes += (settings.archives_dir / sha / STORED_NAME).stat().st_size
            if queued_bytes >= BATCH_BYTES or len(queue) >= BATCH_FILES:
                flush()
                queued.clear()
        flush()
    return records


def lake_dates(settings: Settings, shas: Iterable[str] | None = None,
               between: tuple[date, date] | None = None) -> tuple[date, date] | None:
    """The first and last UTC dates of the posts in the lake, or of the posts of the given
    archive files, or of those dated ``between`` two days (inclusive); None when there are none.
    Profiles (they say when an account was created) are not posts and never widen the range."""

    import duckdb

    ensure_lake(settings)
    wanted = None if shas is None else sorted(set(shas))
    first, last = between or (None, None)
    with connect_duckdb() as con:
        try:
            low, high = con.execute(
                "select min(created_at)::date, max(created_at)::date from read_parquet($glob, union_by_name = true) "
                "where kind in ('post', 'repost', 'delete') "
                "and ($shas is null or list_contains($shas, archive_sha256)) "
                "and ($first is null or created_at::date between $first and $last)",
                {"glob": str(settings.message_rows_dir / "*.parquet"), "shas": wanted, "first": first, "last": last},
            ).fetchone()
        except duckdb.Error as exc:
            raise damaged_lake(settings, exc) from exc
    return None if low is None else (low, high)


def damaged_lake(settings: Settings, exc: Exception) -> Exception:
    """The error to raise for ``exc``, met reading the lake: :class:`HomeDamagedError` naming
    the parts whose Parquet footer cannot be read, or ``exc`` itself when every part reads
    (QA: a truncated part made status, run and ingest --reread fail with a traceback)."""
    import pyarrow.parquet as pq

    damaged = []
    for part in sorted(settings.lake_dir.glob("*/part-*.parquet")):
        try:
            pq.read_metadata(part)
        except Exception:  # noqa: BLE001 - any failure to read the footer: that part is damaged
            damaged.append(part)
    if not damaged:
        return exc
    return HomeDamagedError(
        f"the lake holds {len(damaged)} damaged part(s) ({', '.join(str(p) for p in damaged)}: {exc}); remove "
        "them, then run `brandcare ingest --reread`: the lake is read again from the stored archive files")


def reconcile(settings: Settings) -> pl.DataFrame:
    """Archive files whose counts do not add up: read != loaded + quarantined, or the lake
    holds a different number of rows than the file's record says. Empty when all is well.
    """

    ensure_lake(settings)
    query = """
        with files as (select * from read_parquet($archive_files)),
        loaded as (select archive_sha256 as sha256, count(*) as lake_loaded
                   from read_parquet($message_rows, union_by_name = true) group by all),
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
    with connect_duckdb() as con:
        return con.sql(query, params={
            "archive_files": str(settings.archive_files_dir / "*.parquet"),
            "message_rows": str(settings.message_rows_dir / "*.parquet"),
            "quarantine": str(settings.quarantine_dir / "*.parquet"),
        }).pl()
