"""What every archive reader returns, and the errors it raises."""

from __future__ import annotations

import csv
import io
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipelines.canonical import EXCERPT_CHARS, QUARANTINE_SCHEMA, conform


class ArchiveError(Exception):
    """The whole file cannot be read (unknown format, truncated, unsafe). Nothing is loaded.
    ``fmt``: the format the file was recognised as, when that is known before it failed."""

    def __init__(self, message: str, fmt: str | None = None) -> None:
        super().__init__(message)
        self.fmt = fmt


@dataclass(frozen=True)
class ReadResult:
    """Canonical rows and quarantined records read from one archive file.

    ``records_read == messages.height + quarantine.height`` always holds.
    """

    messages: pl.DataFrame
    quarantine: pl.DataFrame
    #: what the reader says of the file as a whole (archive_files.notes)
    notes: tuple[str, ...] = ()

    @property
    def records_read(self) -> int:
        return self.messages.height + self.quarantine.height


def x_text(text: pl.Expr) -> pl.Expr:
    """A tweet's text as its author wrote it: X (API v2, v1.1, personal archives, and so twcs)
    escapes '&', '<' and '>' as the HTML entities '&amp;', '&lt;' and '&gt;' (and, in 2011, the
    quotes as '&quot;' and '&#39;': tweets of that time in archives); '&amp;' last, so that an
    escaped entity ('&amp;lt;') reads as its text ('&lt;')."""
    return (
        text.str.replace_all("&lt;", "<", literal=True)
        .str.replace_all("&gt;", ">", literal=True)
        .str.replace_all("&quot;", '"', literal=True)
        .str.replace_all("&#39;", "'", literal=True)
        .str.replace_all("&amp;", "&", literal=True)
    )


def x_id(column: str) -> pl.Expr:
    """An X id column as a namespaced message id (``x:<id>``), NULL where the id is."""
    return pl.when(pl.col(column).is_not_null()).then(pl.lit("x:") + pl.col(column))


def x_profile(account_id: str, handle: str) -> dict:
    """The ids, account and address of an X account's ``profile`` row (its handle and
    followers, not a message): ``x:profile:<account id>``, whichever file gives it."""
    key = f"x:profile:{account_id}"
    return {"message_id": key, "version_id": key, "platform": "x", "native_id": f"profile:{account_id}",
            "kind": "profile", "author_id": account_id, "author_handle": handle, "mentions": [],
            "url": f"https://x.com/{handle}"}


def without_keys(value: object, keys: frozenset[str]) -> object:
    """A JSON value without the object keys ``keys``, at any depth: what a quarantine excerpt
    (published) must not keep, such as credentials or an account's e-mail address."""
    if isinstance(value, dict):
        return {key: without_keys(item, keys) for key, item in value.items() if key not in keys}
    if isinstance(value, list):
        return [without_keys(item, keys) for item in value]
    return value


def private_excerpt(native_id: object) -> str:
    """The quarantine excerpt of a record excluded because it is private (an inbox message, a
    contact-form message, a password-protected post): its id only. The quarantine is published
    in the analyst database, and the record's content is no one else's to read."""
    return f"id {native_id or '?'}: private, its content is not kept"


def quarantine_frame(rows: list[dict]) -> pl.DataFrame:
    """Quarantine rows (archive_sha256 filled in later) with excerpts cut to a readable size."""
    frame = pl.DataFrame(rows, schema=QUARANTINE_SCHEMA)
    return frame.with_columns(pl.col("excerpt").str.slice(0, EXCERPT_CHARS))


#: the characters UTF-8's lead byte and a continuation byte become when UTF-8 is decoded as
#: Windows-1252 (or Latin-1): "â€™" for "’", "ðŸ€" for "🏀", "Ã©" for "é"
MOJIBAKE = (
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2020\u2021\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)


def repair_mojibake(messages: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """Texts that went through a wrong decoding read as their authors wrote them, and how many
    were repaired. A CSV opened and saved again in a spreadsheet often holds UTF-8 decoded as
    Windows-1252 ("Weâ€™re", "ðŸ€": 41 % of the texts of one public twcs extract):
    ``ftfy.fix_encoding`` (which leaves text it is not sure of alone), on the texts holding such
    a pair of characters only."""
    if "text" not in messages.columns or messages.is_empty():
        return messages, 0
    suspect = messages["text"].str.contains(MOJIBAKE).fill_null(False)
    if not suspect.any():
        return messages, 0
    import ftfy  # only when a file needs it

    texts = messages["text"].to_list()
    fixed = [ftfy.fix_encoding(t) if bad else t for t, bad in zip(texts, suspect.to_list(), strict=True)]
    repaired = sum(1 for old, new in zip(texts, fixed, strict=True) if old != new)
    return messages.with_columns(pl.Series("text", fixed, dtype=pl.String)), repaired


def result(messages: pl.DataFrame, quarantine: pl.DataFrame, notes: tuple[str, ...] = ()) -> ReadResult:
    """Conform both frames to their schemas, texts repaired (:func:`repair_mojibake`, in the notes)."""
    messages, repaired = repair_mojibake(messages)
    if repaired:
        notes = (*notes, f"{repaired} text(s) repaired: UTF-8 that had been read as Windows-1252 (mojibake)")
    return ReadResult(
        messages=conform(messages),
        quarantine=quarantine.select(
            [pl.col(c).cast(t) if c in quarantine.columns else pl.lit(None, t).alias(c)
             for c, t in QUARANTINE_SCHEMA.items()]
        ).with_columns(pl.col("excerpt").str.slice(0, EXCERPT_CHARS)),
        notes=notes,
    )


#: The DuckDB database that reader calls share, per thread, while ``reader_database`` is open.
_shared = threading.local()


@contextmanager
def reader_database(config: dict[str, str] | None = None) -> Iterator[None]:
    """One in-memory DuckDB database for every reader call made inside (an ingest): each call
    gets a cursor of it (its own temp tables and macros, dropped when the call ends) instead of
    a new database, whose start costs more than reading a small file. ``config`` (DuckDB's:
    ``memory_limit``, ``temp_directory``, as Settings.duckdb_config gives them) is set once,
    when the database opens (DuckDB refuses to switch the temp directory after a query spilled
    to it). A call that ends in a fatal or internal DuckDB error (after which DuckDB refuses
    every query of that database) has the database replaced by a new one, so that the next file
    is read as if alone. Re-entrant: an inner call keeps the outer database."""
    if getattr(_shared, "database", None) is not None:
        yield
        return
    _shared.config = config or {}
    _shared.database = duckdb.connect(config=_shared.config)
    try:
        yield
    finally:
        _shared.database.close()
        _shared.database = None


@contextmanager
def duckdb_session(what: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A private DuckDB connection in UTC for one reader call: a cursor of the database of
    ``reader_database`` when one is open, else a database of its own (its memory limit from
    ``BRANDCARE_DUCKDB_MEMORY_LIMIT``: Settings.duckdb_memory_limit, exported by
    pipelines.runner.prepare_environment, as for dbt). Any DuckDB error while it is open means
    the file cannot be read at all: ArchiveError("not readable as <what>: ...")."""
    shared = getattr(_shared, "database", None)
    limit = os.environ.get("BRANDCARE_DUCKDB_MEMORY_LIMIT")
    con = shared.cursor() if shared is not None else duckdb.connect(config={"memory_limit": limit} if limit else {})
    try:
        con.execute("set TimeZone = 'UTC'")
        yield con
    except duckdb.Error as exc:
        if shared is not None and isinstance(exc, duckdb.FatalException | duckdb.InternalException):
            con.close()
            shared.close()
            _shared.database = duckdb.connect(config=_shared.config)
        raise ArchiveError(f"not readable as {what}: {str(exc).splitlines()[0]}") from exc
    finally:
        con.close()


#: Every line of the files ``$paths`` (a list): ``filename``, ``line_no`` (1-based, blank lines
#: counted, so a quarantine reason can name the line), ``line`` without its ``\r`` and ``blank``
#: (nothing but white space, tabs and Unicode spaces included). Written so that no function
#: walks a whole line: DuckDB's trim and rtrim decode every character of a string (on pages of
#: 100 tweets, 55 KB a line, they cost as much as parsing the JSON), a regular expression
#: stops at the first character that is not a space.
LINES_SQL = r"""
select filename, line_no, line, regexp_full_match(line, '[\s\p{Zs}]*') as blank
from (select filename, line_no,
             case when ends_with(raw_line, chr(13)) then rtrim(raw_line, chr(13)) else raw_line end as line
      from (select filename, unnest(parts) as raw_line, generate_subscripts(parts, 1) as line_no
            from (select filename, string_split(replace(content, chr(13) || chr(10), chr(10)), chr(10)) as parts
                  from read_text($paths))))
"""


def json_sources(paths: list[Path], documents: str, json_lines: str) -> tuple[str, dict[str, list[str]]]:
    """Many files as one source of a reader's query (one statement for them all, see
    pipelines.ingest.MANY_READERS): ``documents``, a query over ``$documents`` (the files
    holding JSON documents), union all ``json_lines``, over ``$json_lines`` (the files
    :func:`is_json_lines`), each only when it has files; with those two parameters. Both
    queries give a ``filename`` column: :func:`rows_by_file` splits the result."""
    lines = [str(p) for p in paths if is_json_lines(p)]
    in_lines = set(lines)
    docs = [p for p in paths if str(p) not in in_lines]
    params: dict = {"json_lines": lines} if lines else {}
    if docs:
        params |= {"documents": [str(p) for p in docs], "max_object": _object_bound(docs)}
    sources = ([documents] if docs else []) + ([json_lines] if lines else [])
    return " union all ".join(sources), params


#: The ``maximum_object_size`` of DuckDB's JSON reader (``$max_object`` in a documents query)
#: sizes its buffers: at 1 GiB, a statement over two files of a few KB asked for 2 GiB and
#: failed within a 2.3 GB memory limit (one file alone did not), so a group of documents fell
#: back to one statement per file. A JSON value is never longer than its file: the bound is the
#: largest file, at least DuckDB's default (16 MiB), at most 1 GiB; a compressed path (a
#: direct read_archive call; ingest decompresses first) gets the 1 GiB.
_MIN_OBJECT_BOUND = 16 << 20
_MAX_OBJECT_BOUND = 1 << 30


def _object_bound(paths: list[Path]) -> int:
    largest = max(
        _MAX_OBJECT_BOUND if p.suffix.lower() in (".gz", ".gzip", ".zst") else p.stat().st_size for p in paths
    )
    return min(_MAX_OBJECT_BOUND, max(_MIN_OBJECT_BOUND, largest))


def rows_by_file(rows: pl.DataFrame, paths: list[Path]) -> list[pl.DataFrame]:
    """The rows of each path (by their ``filename`` column), in the order of ``paths``."""
    by_file = rows.partition_by("filename", as_dict=True)
    empty = rows.clear()
    return [by_file.get((str(p),), empty) for p in paths]


def is_json_lines(path: Path) -> bool:
    """True when the file is JSON lines rather than one JSON document: its first non-blank line
    is a complete JSON object, or its first two non-blank lines both start with '{' (the first
    line is damaged, not the start of a pretty-printed document)."""
    starts: list[str] = []
    with path.open("rb") as handle:
        for raw in handle:
            line = raw.decode("utf-8", errors="replace").strip().lstrip("\ufeff")
            if not line:
                continue
            if not line.startswith("{"):
                return False
            if not starts:
                try:
                    if isinstance(json.loads(line), dict):
                        return True
                except (ValueError, RecursionError):
                    pass
            starts.append(line)
            if len(starts) == 2:
                return True
    return False


#: the separators a CSV export uses: ',' (and ';' or a tab where a spreadsheet in another
#: locale re-saved it); the one found most in the header line is the file's
CSV_SEPARATORS = (",", ";", "\t")


#: Why the last record of a CSV file that ends inside a quoted field is quarantined.
CUT_OFF_RECORD = ("the file ends inside this record, in a quoted field: cut off (an interrupted download or "
                  "copy?); the records before it are loaded")
CUT_SHORT_RECORD = ("the file ends inside this record, which has fewer fields than the header and no line end: "
                    "cut off (an interrupted download or copy?); the records before it are loaded")


def read_csv_columns(path: Path, what: str, required: tuple[str, ...], optional: tuple[str, ...],
                     verbatim: tuple[str, ...] = (), empty_is_zero: tuple[str, ...] = ()
                     ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The columns ``required`` and ``optional`` of a CSV export (every other one ignored), as
    text, with ``position`` (0-based row number): a missing optional column is NULL, values are
    trimmed and an empty one is NULL, but a ``verbatim`` column (a message's text) keeps its
    spaces, and an empty cell of an ``empty_is_zero`` column the file has is "0" (a writer that
    leaves zeros out). Rows whose every cell is empty are left out. A file that cannot be parsed
    or lacks a required column is rejected (ArchiveError).

    Second: the quarantine (``position``, ``reason``, ``excerpt``) of a last record the file
    cuts off (:func:`_cut_off_record`: a truncated file loaded that record with what was left of
    it, or was rejected whole), and of the records holding more fields than the header (a
    separator typed into an unquoted cell: :func:`_records_by_count`, which the whole file
    failed on), empty when there are none."""
    data = path.read_bytes()  # read once: its header, its cut, its records
    start = data[:1 << 16].decode("utf-8-sig", errors="replace")
    separator = max(CSV_SEPARATORS, key=(start.splitlines() or [""])[0].count)
    cut, cut_reason = _cut_off_record(data, separator, start)
    body = data[:cut] if cut else data
    try:
        rows = pl.read_csv(body, infer_schema=False, encoding="utf8-lossy", separator=separator)
        rows, long_rows = rows.with_row_index("__position").with_columns(pl.col("__position").cast(pl.Int64)), None
    except (pl.exceptions.PolarsError, OSError) as exc:
        if "more fields than defined" not in str(exc):
            raise ArchiveError(f"not readable as {what}: {str(exc).splitlines()[0]}") from exc
        rows, long_rows = _records_by_count(body, separator)
    records = rows.height + (long_rows.height if long_rows is not None else 0)
    cut_off = pl.DataFrame(
        {"position": [records] if cut else [], "reason": [cut_reason] if cut else [],
         "excerpt": [data[cut:].decode("utf-8", "replace")[:EXCERPT_CHARS]] if cut else []},
        schema={"position": pl.Int64, "reason": pl.String, "excerpt": pl.String},
    )
    if long_rows is not None:
        cut_off = pl.concat([long_rows, cut_off])
    missing = [c for c in required if c not in rows.columns]
    if missing:
        raise ArchiveError(f"not {what}: no column {', '.join(missing)}")
    columns = (*required, *optional)
    # a row of empty cells (a sheet's trailing rows, as Excel or a script saves them) is no
    # record, as a blank line of a JSON-lines file is none
    blank = pl.all_horizontal(pl.all().exclude("__position").str.strip_chars().replace("", None).is_null())
    return rows.select(
        *[(pl.col(c) if c in rows.columns else pl.lit(None, pl.String)).alias(c) for c in columns],
        pl.col("__position").alias("position"),
        blank.alias("__blank"),
    ).filter(~pl.col("__blank")).drop("__blank").with_columns(
        (pl.col(c) if c in verbatim else pl.col(c).str.strip_chars()).replace("", None) for c in columns
    ).with_columns(pl.col(c).fill_null("0") for c in empty_is_zero if c in rows.columns), cut_off


def _cut_off_record(data: bytes, separator: str, head: str) -> tuple[int | None, str | None]:
    """(where the last record starts, why it is cut off) when ``data`` (a CSV file, ``head`` its
    start decoded) cuts off its last record, else (None, None):

    * inside a quoted field: an odd number of quote characters (a quote inside a field is
      written twice);
    * outside quotes: no line end after the last record, and fewer fields in it than in the
      header (a complete last record without a line end has them all).

    None too when no line ends outside quotes (the header itself is cut: the file is
    unreadable). The quotes are counted once, then back from the end, line by line, to the last
    line end outside quotes."""
    total = data.count(b'"')
    if total % 2 == 0 and (not data or data.endswith(b"\n")):
        return None, None
    end, after = len(data), 0
    while (newline := data.rfind(b"\n", 0, end)) != -1:
        after += data.count(b'"', newline, end)
        if (total - after) % 2 == 0:
            start = newline + 1
            if total % 2:
                return start, CUT_OFF_RECORD
            first = next(csv.reader(io.StringIO(head), delimiter=separator))
            last = next(csv.reader(io.StringIO(data[start:].decode("utf-8", "replace")), delimiter=separator), [])
            return (start, CUT_SHORT_RECORD) if 0 < len(last) < len(first) else (None, None)
        end = newline
    return None, None


def _records_by_count(data: bytes, separator: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The records of a CSV export that Polars refused because some hold more fields than its
    header, read by the csv module: (the others as text, padded as Polars pads a short one,
    with ``__position``; the quarantine of the long ones, with the line each starts on)."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig", errors="replace"), newline=""), delimiter=separator)
    header = next(reader, [])
    names = [name if header.index(name) == i else f"{name}_duplicated_{i}" for i, name in enumerate(header)]
    good: list[list[str | None]] = []
    positions: list[int] = []
    bad: list[dict] = []
    position, line = 0, reader.line_num + 1
    for fields in reader:
        if fields:  # a blank line is no record
            if len(fields) > len(names):
                bad.append({"position": position, "excerpt": separator.join(fields)[:EXCERPT_CHARS],
                            "reason": f"wrong column count: {len(fields)} fields, expected {len(names)} "
                                      f"(the header's) (line {line})"})
            else:
                good.append(fields + [None] * (len(names) - len(fields)))
                positions.append(position)
            position += 1
        line = reader.line_num + 1
    rows = pl.DataFrame(good, schema=dict.fromkeys(names, pl.String), orient="row")
    quarantine = pl.DataFrame(bad, schema={"position": pl.Int64, "reason": pl.String, "excerpt": pl.String})
    return rows.with_columns(pl.Series("__position", positions, dtype=pl.Int64)), quarantine


def id_text(column: str) -> pl.Expr:
    """An id column of a CSV export as digits, or NULL: a spreadsheet writes ``443.0`` for an
    id it took for a number, exact up to 15 digits (a longer one, or ``1.54E+08``, lost digits)."""
    value = pl.col(column).str.replace(r"^(\d{1,15})\.0+$", "${1}")
    return pl.when(value.str.contains(r"^\d+$")).then(value)


def invalid_id(column: str) -> pl.Expr:
    """Why a row's id cell is not an id, naming the spreadsheet when it wrote the id as a number
    (``1.26426E+18``: the digits are lost, and only a new export brings them back)."""
    as_number = pl.col(column).str.contains(r"^\d+(?:[.,]\d+)?[eE][+-]?\d+$|^\d{16,}[.,]\d+$")
    return pl.format(f"invalid {column}: {{}}", column) + pl.when(as_number).then(pl.lit(
        " (a spreadsheet wrote the id as a number: its digits are lost; export the sheet again with its "
        "id columns as text)")).otherwise(pl.lit(""))


#: what R, pandas and databases write in a cell that holds nothing: no id lost there
MISSING_MARKERS = ("NA", "N/A", "NaN", "nan", "None", "null", "NULL")


def lost_id_notes(rows: pl.DataFrame, columns: tuple[str, ...]) -> tuple[str, ...]:
    """A note per reference column of a CSV export whose filled cells :func:`id_text` cannot
    read: their links are left empty, which no row's quarantine would say. Typically ids a
    spreadsheet or pandas wrote as numbers (``1.3172086982095667e+18``, digits lost). A cell
    holding a :data:`MISSING_MARKERS` value (R's ``NA``) is an empty one: nothing is lost."""
    notes = []
    for column in columns:
        lost = rows.filter(
            pl.col(column).is_not_null() & id_text(column).is_null() & ~pl.col(column).is_in(MISSING_MARKERS))
        if lost.height:
            notes.append(
                f"{lost.height} {column} value(s) are not ids, e.g. {lost[column][0]!r}: their links are left empty "
                "(ids written as numbers lose digits: save the sheet again with its id columns as text)")
    return tuple(notes)
