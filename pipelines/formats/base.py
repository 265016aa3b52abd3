"""What every archive reader returns, and the errors it raises."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb
import polars as pl

from pipelines.canonical import EXCERPT_CHARS, QUARANTINE_SCHEMA, conform


class ArchiveError(Exception):
    """The whole file cannot be read (unknown format, truncated, unsafe). Nothing is loaded."""


@dataclass(frozen=True)
class ReadResult:
    """Canonical rows and quarantined records read from one archive file.

    ``records_read == messages.height + quarantine.height`` always holds.
    """

    messages: pl.DataFrame
    quarantine: pl.DataFrame

    @property
    def records_read(self) -> int:
        return self.messages.height + self.quarantine.height


def quarantine_frame(rows: list[dict]) -> pl.DataFrame:
    """Quarantine rows (archive_sha256 filled in later) with excerpts cut to a readable size."""
    frame = pl.DataFrame(rows, schema=QUARANTINE_SCHEMA)
    return frame.with_columns(pl.col("excerpt").str.slice(0, EXCERPT_CHARS))


def result(messages: pl.DataFrame, quarantine: pl.DataFrame) -> ReadResult:
    """Conform both frames to their schemas."""
    return ReadResult(
        messages=conform(messages),
        quarantine=quarantine.select(
            [pl.col(c).cast(t) if c in quarantine.columns else pl.lit(None, t).alias(c) for c, t in QUARANTINE_SCHEMA.items()]
        ).with_columns(pl.col("excerpt").str.slice(0, EXCERPT_CHARS)),
    )


@contextmanager
def duckdb_session(what: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A private DuckDB connection in UTC for one reader; any DuckDB error while it is open
    means the file cannot be read at all: ArchiveError("not readable as <what>: ...")."""
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        yield con
    except duckdb.Error as exc:
        raise ArchiveError(f"not readable as {what}: {str(exc).splitlines()[0]}") from exc
    finally:
        con.close()
