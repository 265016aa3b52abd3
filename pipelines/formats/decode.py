"""Byte-level preparation of an archive before a reader sees it.

gzip is decompressed (with a cap against decompression bombs); a CAR file (a Bluesky
repository export) is written as JSON lines of its records (pipelines.formats.car); text is
made UTF-8 without a byte-order mark (UTF-16 text with its byte-order mark, as Excel's "Unicode
Text" and PowerShell write it, is decoded); bytes before an XML declaration (a stray byte in a
Disqus export) are removed; a file that is not valid UTF-8 is read as Windows-1252/Latin-1
when it holds no UTF-8 multi-byte sequence at all, otherwise its invalid bytes are replaced
with U+FFFD. Every such repair is reported as a note on the archive file.
"""

from __future__ import annotations

import gzip
import re
import zlib
from pathlib import Path

from pipelines.formats.base import ArchiveError
from pipelines.formats.car import car_to_json_lines, is_car

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
#: the sheet of a workbook read when it has several: TAGS's sheet of tweets
WORKBOOK_SHEET = "Archive"
#: integers a spreadsheet's number (a double) holds exactly; an id past them lost digits
EXACT_INTEGERS = 2**53
BINARY_MAGIC = (b"PAR1",)  # Parquet
BOM = b"\xef\xbb\xbf"
#: the byte-order marks of UTF-16 (little-endian first: Excel's "Unicode Text", PowerShell's files)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
#: Decompressed data larger than this many times its compressed size (and than MIN_BOMB_BYTES)
#: is a decompression bomb: gzip files, zip entries (pipelines.sources) and Excel workbooks alike.
MAX_COMPRESSION_RATIO = 200
MIN_BOMB_BYTES = 1 << 20
#: At most this many bytes of junk before an XML declaration are removed (noted on the file).
XML_JUNK_BYTES = 1024
#: how much of a file tells text from binary data (NUL bytes)
TEXT_SNIFF_BYTES = 4096
BINARY_ERROR = "binary data: not a text archive format brandcare reads"
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def _gunzip(path: Path, target: Path) -> None:
    limit = max(MIN_BOMB_BYTES, MAX_COMPRESSION_RATIO * path.stat().st_size)
    written = 0
    try:
        with gzip.open(path, "rb") as src, target.open("wb") as out:
            while chunk := src.read(1 << 20):
                written += len(chunk)
                if written > limit:
                    raise ArchiveError(
                        f"gzip data decompresses past {limit} bytes ({MAX_COMPRESSION_RATIO}x the file): "
                        "refused as a decompression bomb")
                out.write(chunk)
    except (OSError, EOFError, zlib.error) as exc:
        raise ArchiveError(f"damaged gzip file: {exc}") from exc


def head_bytes(path: Path) -> bytes:
    """The first :data:`TEXT_SNIFF_BYTES` of a file."""
    with path.open("rb") as handle:
        return handle.read(TEXT_SNIFF_BYTES)


def is_foreign_binary(path: Path) -> bool:
    """Binary data of no format brandcare reads (an image, a video: an X archive's media), told
    from the file's first bytes before it is copied (:func:`foreign_binary_head`)."""
    return foreign_binary_head(head_bytes(path))


def foreign_binary_head(head: bytes) -> bool:
    """The first :data:`TEXT_SNIFF_BYTES` of a file hold NUL bytes, and it is neither gzip,
    Parquet nor a CAR file (a Bluesky repository export)."""
    return (not head.startswith((GZIP_MAGIC, *BINARY_MAGIC, *UTF16_BOMS)) and not is_car(head)
            and b"\x00" in head[:TEXT_SNIFF_BYTES])


def prepare(path: Path, workdir: Path) -> tuple[Path, list[str]]:
    """A readable, UTF-8 (or binary) version of ``path``, written in ``workdir`` when it differs."""
    notes: list[str] = []
    head = head_bytes(path)
    if head.startswith(GZIP_MAGIC):
        # a name of its own: without a .gz suffix the file's name is the original's, which
        # may be a link to the stored archive
        plain = workdir / f"gunzipped-{path.name.removesuffix('.gz')}"
        _gunzip(path, plain)
        notes.append("gzip decompressed")
        path = plain
        head = head_bytes(path)
    if head.startswith(BINARY_MAGIC):
        return path, notes
    if head.startswith(ZIP_MAGIC):  # collect opens every other zip: an Excel workbook
        return _sheet_as_csv(path, workdir, notes)
    if is_car(head):
        records = workdir / f"records-{path.name}.jsonl"
        return records, notes + car_to_json_lines(path, records)
    data = path.read_bytes()
    changed = False
    if data.startswith(UTF16_BOMS):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise ArchiveError(f"starts with a UTF-16 byte-order mark but is not UTF-16 text: {exc}") from exc
        changed = True
        notes.append("UTF-16 decoded")
    if data.startswith(BOM):
        data = data[len(BOM):]
        changed = True
        notes.append("byte-order mark removed")
    declaration = data.find(b"<?xml", 0, XML_JUNK_BYTES + 5)
    if declaration > 0 and not any(c in data[:declaration] for c in b"{[,"):
        # an XML declaration must come first: what precedes it is junk (JSON or CSV is not)
        data = data[declaration:]
        changed = True
        notes.append(f"{declaration} stray byte(s) before the XML declaration removed")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        if _UTF8_MULTIBYTE.search(data):
            text = data.decode("utf-8", errors="replace")
            notes.append(f"{text.count(chr(0xFFFD))} invalid UTF-8 byte sequence(s) replaced with U+FFFD")
        else:
            text = data.decode("cp1252", errors="replace") if _is_cp1252(data) else data.decode("latin-1")
            notes.append("not UTF-8: decoded as Latin-1 (Windows-1252)")
        data = text.encode("utf-8")
        changed = True
    if b"\x00" in data[:TEXT_SNIFF_BYTES]:
        raise ArchiveError(BINARY_ERROR)
    if changed:
        fixed = workdir / f"utf8-{path.name}"
        fixed.write_bytes(data)
        path = fixed
    return path, notes


def _sheet_as_csv(path: Path, workdir: Path, notes: list[str]) -> tuple[Path, list[str]]:
    """The sheet of messages of an Excel workbook (a TAGS spreadsheet downloaded as .xlsx) as a
    UTF-8 CSV: its ``Archive`` sheet, or its only sheet. Text cells as written; a number whole
    and exact as its digits (``443``), any other (an id of 19 digits a spreadsheet made a number,
    its last digits lost) as the number it holds (``1.317275612260692e+18``), which the readers
    refuse as an id, never as the rounded digits; a date as ISO 8601. openpyxl parses the
    workbook's XML through defusedxml; its parts are checked against a decompression bomb first."""
    import zipfile

    import openpyxl
    import polars as pl

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ArchiveError(f"damaged zip data (an Excel workbook?): {exc}") from exc
    if unpacked > max(MIN_BOMB_BYTES, MAX_COMPRESSION_RATIO * path.stat().st_size):
        raise ArchiveError(f"an Excel workbook that would decompress to {unpacked} bytes: refused as a "
                           "decompression bomb")
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            names = workbook.sheetnames
            if WORKBOOK_SHEET not in names and len(names) != 1:
                raise ArchiveError(f"an Excel workbook of {len(names)} sheets ({', '.join(names)}), none named "
                                   f"{WORKBOOK_SHEET}: save the sheet of messages as CSV")
            sheet = WORKBOOK_SHEET if WORKBOOK_SHEET in names else names[0]
            rows = [[_cell_text(value) for value in row] for row in workbook[sheet].iter_rows(values_only=True)]
        finally:
            workbook.close()
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ArchiveError(f"not a readable Excel workbook: {exc}") from exc
    if not rows:
        raise ArchiveError(f"an Excel workbook whose sheet {sheet!r} is empty")
    width = max(len(row) for row in rows)
    header = [name or f"column_{i + 1}" for i, name in enumerate(rows[0] + [""] * (width - len(rows[0])))]
    frame = pl.DataFrame([row + [""] * (width - len(row)) for row in rows[1:]], schema=dict.fromkeys(header, pl.String),
                         orient="row")
    target = workdir / f"sheet-{path.name}.csv"
    frame.write_csv(target)
    return target, notes + [f"Excel workbook: its sheet {sheet!r} read"]


def _cell_text(value: object) -> str:
    """A cell of a workbook as text (see :func:`_sheet_as_csv`)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) < EXACT_INTEGERS):
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _is_cp1252(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True
