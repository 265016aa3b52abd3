"""Customer Support on Twitter (twcs): the public research dataset's CSV and its copies.

Columns ``tweet_id, author_id, inbound, created_at, text, response_tweet_id,
in_response_to_tweet_id``; ids are anonymised integers, brands keep their handles as
``author_id``. Ids get their own namespace (``x:twcs:<id>``) so that they never collide with
real X ids. ``response_tweet_id`` repeats what the children's ``in_response_to_tweet_id``
says and is ignored; ``inbound`` is ignored too (the brand registry says who is a brand).

Copies in the wild are repaired before parsing, all vectorised with Polars (the dataset has
millions of rows):

- a BOM, CRLF line ends, an unnamed leading index column, Excel's ``TRUE``/``FALSE``, ids
  written as floats (``3.0``), a ``;`` separator (Excel in some locales);
- rows broken by bare carriage returns (or unquoted newlines) inside the text: a physical
  line that does not start like a record continues the previous record's text (joined
  with ``\\n``). A line starts a record when it begins with a numeric tweet_id and an
  inbound flag, or has a v1.1 date in the created_at column;
- text that is not UTF-8 is decoded as Windows-1252 (Latin-1 when that fails). Through
  ingest this never happens: ``pipelines.formats.decode.prepare`` has already made the file
  UTF-8 and noted it on the archive file.

A record that still cannot be split into the header's columns is quarantined with the
number of the line it starts on (``wrong column count: ... (line 6)``), one whose tweet_id,
author_id, created_at or in_response_to_tweet_id is unusable with the field; both with the
repaired record as excerpt. A file without the required columns raises ArchiveError.
"""

from __future__ import annotations

import codecs
import csv
from pathlib import Path

import polars as pl

from pipelines.formats.base import ArchiveError, ReadResult, result, x_text
from pipelines.formats.x_archive import v11_datetime

REQUIRED_COLUMNS = ("tweet_id", "author_id", "inbound", "created_at", "text", "in_response_to_tweet_id")

_V11_DATE = r"[A-Za-z]{3} [A-Za-z]{3} \d{1,2} \d{1,2}:\d{2}:\d{2} [+-]\d{4} \d{4}"
_FLAG = r"(?i:true|false|1|0)"
_NUMERIC_ID = r"^\d+(?:\.0*)?$"  # pandas writes a column with gaps as floats: 3.0


def read_twcs(path: Path) -> ReadResult:
    """Read a twcs CSV (or a damaged copy of one) into canonical rows."""
    lines = _physical_lines(path.read_bytes())
    columns, separator = _header(lines["line"][0])
    records = _logical_records(lines.slice(1), columns, separator)
    del lines
    fields = _split_fields(records, columns, separator)
    return _to_canonical(fields, len(columns), separator)


def _physical_lines(raw: bytes) -> pl.DataFrame:
    """Every physical line of the file, broken at \\n, \\r\\n and bare \\r alike, with the
    number of its line (``line_no``, 1-based, counting \\n and \\r\\n line ends as editors do).

    Split as bytes: a Python str of a file with emoji takes four bytes a character.
    """
    raw = raw.removeprefix(codecs.BOM_UTF8)
    physical = raw.replace(b"\r\n", b"\n").split(b"\n")
    lines = pl.Series("line", physical, dtype=pl.Binary)
    del physical
    try:
        return (
            lines.cast(pl.String).to_frame()
            .with_row_index("line_no", offset=1)
            .with_columns(pl.col("line").str.split("\r"))
            .explode("line")
            .select(pl.col("line_no").cast(pl.Int64), "line")
        )
    except (pl.exceptions.ComputeError, pl.exceptions.InvalidOperationError):
        del lines
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        return _physical_lines(text.encode("utf-8"))


def _header(line: str) -> tuple[list[str], str]:
    """Column names (lower-cased) and the separator, from the header line."""
    if not line.strip():
        raise ArchiveError("not a twcs CSV: the first line (the header) is empty")
    separator = ";" if line.count(";") > line.count(",") else ","
    columns = [c.strip().lower() for c in next(csv.reader([line], delimiter=separator))]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise ArchiveError(f"not a twcs CSV: the header lacks column(s) {', '.join(missing)}")
    duplicated = sorted({c for c in columns if c in REQUIRED_COLUMNS and columns.count(c) > 1})
    if duplicated:
        raise ArchiveError(f"not a twcs CSV: the header repeats column(s) {', '.join(duplicated)}")
    return columns, separator


def _field(separator: str, name: str) -> str:
    """Regex capturing one CSV field: quoted (with "" escapes), or unquoted without the separator."""
    return f'(?P<{name}>"(?:[^"]|"")*"|[^{separator}"][^{separator}]*|)'


def _record_start(columns: list[str], separator: str) -> str | None:
    """Regex of a line that begins a record: a numeric tweet_id and an inbound flag, or a
    v1.1 date in created_at, among the columns before text. None when text comes first."""
    leading = columns[: columns.index("text")]
    loose = f'"[^"]*"|[^{separator}"]*'

    def prefix(specific: dict[str, str]) -> str | None:
        if not set(specific) <= set(leading):
            return None
        return "^" + "".join(f"(?:{specific.get(c, loose)}){separator}" for c in leading)

    by_id = prefix({"tweet_id": r'"?\d+(?:\.0*)?"?', "inbound": f'"?{_FLAG}"?'})
    by_date = prefix({"created_at": f'"?{_V11_DATE}"?'})
    starts = [p for p in (by_id, by_date) if p]
    return "|".join(f"(?:{p})" for p in starts) if starts else None


def _logical_records(lines: pl.DataFrame, columns: list[str], separator: str) -> pl.DataFrame:
    """Glue continuation lines to the record they belong to: one row per record, with its position."""
    start = _record_start(columns, separator)
    starts = lines.select(pl.col("line").str.contains(start) if start else pl.lit(True)).to_series()
    if (starts | (lines["line"] == "")).all():  # nothing to glue (blank lines are dropped below)
        records = lines.rename({"line": "record"})
    else:
        records = (
            lines.with_columns(starts.cum_sum().alias("record_no"))
            .group_by("record_no", maintain_order=True)
            .agg(pl.col("line_no").first(), pl.col("line").str.join("\n").alias("record"))
        )
    return (
        records.with_columns(pl.col("record").str.strip_chars_end("\n"))
        .filter(pl.col("record").str.strip_chars() != "")
        .with_row_index("position")
        .select(pl.col("position").cast(pl.Int64), "line_no", "record")
    )


def _split_fields(records: pl.DataFrame, columns: list[str], separator: str) -> pl.DataFrame:
    """One string column per required column, unquoted; all NULL for a record that does not split."""
    pattern = "(?s)^" + separator.join(_field(separator, f"c{i}") for i in range(len(columns))) + "$"
    split = records.with_columns(pl.col("record").str.extract_groups(pattern).alias("fields"))
    unquote = lambda raw: (  # noqa: E731
        pl.when(raw.str.starts_with('"') & raw.str.ends_with('"') & (raw.str.len_chars() >= 2))
        .then(raw.str.slice(1, raw.str.len_chars() - 2).str.replace_all('""', '"', literal=True))
        .otherwise(raw)
    )
    wanted = [c for c in REQUIRED_COLUMNS if c != "inbound"]
    return split.select(
        "position", "line_no", "record",
        *[unquote(pl.col("fields").struct.field(f"c{columns.index(c)}")).alias(c) for c in wanted],
    )


def _numeric_id(column: str) -> pl.Expr:
    """The id without a float's '.0'; NULL when empty or not numeric."""
    raw = pl.col(column).str.strip_chars()
    return pl.when(raw.str.contains(_NUMERIC_ID)).then(raw.str.replace(r"\..*$", ""))


def _shown(column: str) -> pl.Expr:
    """A field's value as quoted in a reason: cut short, the excerpt has the rest."""
    return pl.col(column).str.slice(0, 60)


def _to_canonical(fields: pl.DataFrame, expected_fields: int, separator: str) -> ReadResult:
    checked = fields.with_columns(
        _numeric_id("tweet_id").alias("id"),
        pl.col("author_id").str.strip_chars().alias("author"),
        v11_datetime(pl.col("created_at")).alias("created"),
        _numeric_id("in_response_to_tweet_id").alias("parent"),
    ).with_columns(
        pl.when(pl.col("tweet_id").is_null()).then(pl.lit("does not split into the header's columns"))
        .when(pl.col("tweet_id").str.strip_chars() == "").then(pl.lit("missing required field: tweet_id"))
        .when(pl.col("id").is_null()).then(pl.format("invalid tweet_id: {}", _shown("tweet_id")))
        .when(pl.col("author") == "").then(pl.lit("missing required field: author_id"))
        .when(pl.col("created_at").str.strip_chars() == "").then(pl.lit("missing required field: created_at"))
        .when(pl.col("created").is_null()).then(pl.format("invalid created_at: {}", _shown("created_at")))
        .when(pl.col("parent").is_null() & (pl.col("in_response_to_tweet_id").str.strip_chars() != ""))
        .then(pl.format("invalid in_response_to_tweet_id: {}", _shown("in_response_to_tweet_id")))
        .alias("reason")
    )
    good = checked.filter(pl.col("reason").is_null())
    twcs_id = pl.lit("x:twcs:") + pl.col("id")
    messages = good.select(
        twcs_id.alias("message_id"),
        twcs_id.alias("version_id"),
        pl.lit("x").alias("platform"),
        (pl.lit("twcs:") + pl.col("id")).alias("native_id"),
        pl.lit("post").alias("kind"),
        (pl.lit("x:twcs:") + pl.col("parent")).alias("parent_id"),
        pl.col("author").alias("author_id"),
        pl.col("author").alias("author_handle"),
        _mentions(pl.col("text")).alias("mentions"),
        pl.col("created").alias("created_at"),
        x_text(pl.col("text")).alias("text"),
        pl.col("position"),
    )
    bad = checked.filter(pl.col("reason").is_not_null())
    unsplit = bad.filter(pl.col("tweet_id").is_null())
    # in words, record by record: only for the few records that did not split
    why_unsplit = pl.Series(
        "reason",
        [f"{_split_problem(record, expected_fields, separator)} (line {line})"
         for record, line in zip(unsplit["record"], unsplit["line_no"], strict=True)],
        dtype=pl.String,
    )
    quarantine = pl.concat([
        bad.filter(pl.col("tweet_id").is_not_null()).select("position", "reason", "record"),
        unsplit.select("position", why_unsplit, "record"),
    ]).sort("position").rename({"record": "excerpt"})
    return result(messages, quarantine)


def _mentions(text: pl.Expr) -> pl.Expr:
    """@handles of the text, lower-cased without '@', each once (customers' are anonymised numbers)."""
    return (
        text.str.extract_all(r"(?:^|[^A-Za-z0-9_@])@[A-Za-z0-9_]+")
        .list.eval(pl.element().str.extract(r"@([A-Za-z0-9_]+)").str.to_lowercase())
        .list.unique(maintain_order=True)
    )


def _split_problem(record: str, expected: int, separator: str) -> str:
    """Why a record does not split into the header's columns, in words."""
    try:  # newlines do not change the count, and the csv module refuses them outside quotes
        found = len(next(csv.reader([record.replace("\n", " ")], delimiter=separator, strict=True)))
    except csv.Error as exc:
        return f"malformed CSV record: {exc}"
    if found != expected:
        return f"wrong column count: {found} fields, expected {expected} (the header's)"
    return "malformed CSV record: a quote inside a field that is not quoted as a whole"
