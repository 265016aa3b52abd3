"""The TAGS reader (``tags``) on tests/fixtures/tags/archive.csv (README.md there): a TAGS
``Archive`` sheet downloaded as CSV."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipelines.formats import ArchiveError, detect_format
from pipelines.formats.tags import read_tags
from support import FIXTURES

ARCHIVE = FIXTURES / "tags" / "archive.csv"


def test_a_tags_sheet_loads_its_tweets_and_quarantines_its_bad_rows() -> None:
    assert detect_format(ARCHIVE) == "tags"
    read = read_tags(ARCHIVE)
    assert (read.records_read, read.messages.height) == (5, 3)
    assert read.quarantine.select("position", "reason").rows() == [
        (3, "invalid created_at: el sábado"), (4, "missing required field: from_user_id_str"),
    ]
    rows = {r["version_id"]: r for r in read.messages.to_dicts()}
    complaint = rows["x:1317275612260691969"]
    assert (complaint["author_id"], complaint["author_handle"], complaint["author_followers"]) == (
        "533654555", "pattyliz76", 15)  # "15.0" as Sheets writes it
    assert complaint["text"].endswith("NIP incorrecto & nadie responde")
    assert complaint["mentions"] == ["acmebanco", "637362286"]
    assert str(complaint["created_at"]) == "2020-10-17 01:25:54+00:00"
    reply = rows["x:1317279000000000000"]
    assert (reply["parent_id"], reply["in_reply_to_author_id"], reply["author_followers"]) == (
        "x:1317275612260691969", "533654555", 250000)
    retweet = rows["x:1317280000000000000"]
    assert (retweet["kind"], retweet["reposted_id"]) == ("repost", None)


def test_a_csv_without_the_tags_columns_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text("id_str,from_user,created_at,text\n1,ana,Sat Oct 17 01:25:54 +0000 2020,hola\n")
    assert detect_format(path) == "tags"
    with pytest.raises(ArchiveError, match="no column from_user_id_str"):
        read_tags(path)


def test_ids_a_spreadsheet_rewrote_are_read_back_or_refused(tmp_path: Path) -> None:
    header = "id_str\tfrom_user\tfrom_user_id_str\ttext\tcreated_at\tin_reply_to_status_id_str\tin_reply_to_user_id_str\n"
    path = tmp_path / "archive.tsv"
    path.write_text(header
                    + "11\tana\t154517048.0\t  hola  \tSat Oct 17 01:25:54 +0000 2020\t1.31705E+18\t86031609.0\n"
                    + "12\tbob\tabc\thola\tSat Oct 17 01:25:54 +0000 2020\t\t\n")
    assert detect_format(path) == "tags"  # a tab-separated download
    read = read_tags(path)
    (row,) = read.messages.to_dicts()
    # 154517048.0 is exact; 1.31705E+18 lost digits: no parent rather than a wrong one
    assert (row["author_id"], row["parent_id"], row["in_reply_to_author_id"], row["text"]) == (
        "154517048", None, "86031609", "  hola  ")
    assert read.quarantine["reason"].to_list() == ["invalid from_user_id_str: abc"]
    # and the file says so (QA: pandas' export of a sheet lost every reply link, silently)
    assert read.notes == ("1 in_reply_to_status_id_str value(s) are not ids, e.g. '1.31705E+18': their links are "
                          "left empty (ids written as numbers lose digits: save the sheet again with its id columns "
                          "as text)",)


def test_a_row_with_more_fields_than_the_header_is_quarantined_alone(tmp_path: Path) -> None:
    """A separator typed into an unquoted cell (a sheet edited by hand, a tool's CSV written
    without quoting) gives a row more fields than the header: Polars refused the whole file,
    'found more fields than defined in Schema', naming no row, and every good row was lost (QA).
    That row is quarantined with its line; the others load as from the sheet without it."""
    lines = ARCHIVE.read_text(encoding="utf-8").splitlines(keepends=True)
    whole = read_tags(ARCHIVE)
    path = tmp_path / "edited.csv"
    path.write_text("".join(lines[:2]) + lines[2].rstrip("\n") + ",  ,extra\n" + "".join(lines[3:]), encoding="utf-8")
    read = read_tags(path)
    assert read.records_read == whole.records_read
    assert read.quarantine.filter(pl.col("position") == 1).select("reason").item() == (
        f"wrong column count: {len(lines[0].split(','))+2} fields, expected {len(lines[0].split(','))} "
        "(the header's) (line 3)")
    assert read.messages.equals(whole.messages.filter(pl.col("position") != 1))
    assert read.quarantine.filter(pl.col("position") != 1).equals(whole.quarantine)


def test_an_id_a_spreadsheet_wrote_as_a_number_says_so(tmp_path: Path) -> None:
    # a real TAGS row re-saved by Excel (bpettis/twitter-ringleaders' README): every id
    # '1.26426E+18'; the reason read as if the sheet held a typo
    path = tmp_path / "archive.tsv"
    path.write_text("id_str\tfrom_user\tfrom_user_id_str\ttext\tcreated_at\n"
                    "1.26426E+18\tPaulMichels17\t1.19615E+18\tRT @ZSJusticeL: Ben\tSat May 23 18:01:55 +0000 2020\n")
    assert read_tags(path).quarantine["reason"].to_list() == [
        "invalid id_str: 1.26426E+18 (a spreadsheet wrote the id as a number: its digits are lost; export the "
        "sheet again with its id columns as text)"]


def test_a_sheet_whose_file_name_holds_brackets_is_read(tmp_path: Path) -> None:
    # a re-saved download is named "Archive [1].csv": the CSV reader took the name for a glob
    # pattern, matched nothing and rejected the file (QA)
    path = tmp_path / "Archive [copia] (1).csv"
    path.write_bytes(ARCHIVE.read_bytes())
    assert detect_format(path) == "tags"
    read = read_tags(path)
    assert read.messages.equals(read_tags(ARCHIVE).messages)


def test_rows_of_empty_cells_are_not_records(tmp_path: Path) -> None:
    # a sheet saved with its trailing empty rows (",,,,"): 25,837 of them read as quarantined
    # records of a real export (QA); a row with one filled cell is still a record
    lines = ARCHIVE.read_text(encoding="utf-8").splitlines(keepends=True)
    width = lines[0].count(",")
    path = tmp_path / "archive.csv"
    path.write_text("".join(lines) + ("," * width + "\n") * 3 + " ," + "," * (width - 1) + "\n"
                    + "x" + "," * width + "\n", encoding="utf-8")
    read = read_tags(path)
    original = read_tags(ARCHIVE)
    assert read.messages.equals(original.messages)
    assert read.records_read == original.records_read + 1
    assert read.quarantine["reason"].to_list()[-1] == "invalid id_str: x"


def test_an_empty_follower_count_is_zero_followers(tmp_path: Path) -> None:
    # TAGS writes every falsy value as an empty cell (its setRowsData_: `objects[i][header] ?
    # ... : ""`), and the API always gives followers_count: real sheets hold 1, 2 and 3
    # followers but no 0, and 96 empty cells (QA: 55 customers fell out of every follower band)
    lines = ARCHIVE.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "archive.csv"
    path.write_text(lines[0] + lines[1].replace(",15.0,126.0,", ",,126.0,"), encoding="utf-8")
    (row,) = read_tags(path).messages.to_dicts()
    assert row["author_followers"] == 0
    # a sheet without the column says nothing of followers: unknown
    header = "id_str,from_user,from_user_id_str,text,created_at\n"
    path.write_text(header + "11,ana,154517048,hola,Sat Oct 17 01:25:54 +0000 2020\n", encoding="utf-8")
    (row,) = read_tags(path).messages.to_dicts()
    assert row["author_followers"] is None


def test_a_sheet_cut_off_inside_its_last_record_loads_the_others(tmp_path: Path) -> None:
    """A download or copy interrupted inside a quoted field: the last record was loaded with
    what was left of it (its mentions lost), or the whole file was rejected, depending on where
    the cut fell (QA, real sheets). Either way now: that record quarantined, the others loaded."""
    data = ARCHIVE.read_bytes()
    whole = read_tags(ARCHIVE)
    starts = [0, *(i + 1 for i, line in enumerate(data) if line == ord("\n"))][1:-1]  # each record's first byte
    assert len(starts) == whole.records_read
    # inside the last record's quoted "source" cell; inside the entities of the third (the retweet)
    for record, cut in ((4, data.index(b'"<a href', starts[4]) + 12), (2, data.index(b'"{""hashtags', starts[2]) + 40)):
        assert starts[record] < cut < (starts + [len(data)])[record + 1]
        path = tmp_path / f"cut_{cut}.csv"
        path.write_bytes(data[:cut])
        read = read_tags(path)
        assert read.records_read == record + 1
        (reason,) = read.quarantine.filter(pl.col("position") == record)["reason"]
        assert reason.startswith("the file ends inside this record, in a quoted field: cut off")
        assert read.messages.equals(whole.messages.filter(pl.col("position") < record))
        assert read.quarantine.filter(pl.col("position") < record).equals(
            whole.quarantine.filter(pl.col("position") < record))


def _workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def _sheet_rows(numeric: dict[str, int] | None = None) -> list[list]:
    """The fixture's rows as TAGS's own workbook holds them: ids as text, follower counts as
    numbers, ``time`` a date; ``numeric``: columns whose cell of that row a spreadsheet made a number."""
    from datetime import datetime

    frame = pl.read_csv(ARCHIVE, infer_schema=False)
    rows = [frame.columns]
    for i, row in enumerate(frame.iter_rows(named=True)):
        cells = dict(row)
        if cells["user_followers_count"]:
            cells["user_followers_count"] = float(cells["user_followers_count"])
        if cells["time"]:
            cells["time"] = datetime.fromisoformat(cells["time"])
        for column, at in (numeric or {}).items():
            if at == i:
                cells[column] = float(cells[column])
        rows.append(list(cells.values()))
    return rows


def test_a_tags_workbook_reads_as_its_archive_sheet(tmp_path: Path) -> None:
    """TAGS spreadsheets are shared as .xlsx (File > Download > Microsoft Excel: nine real ones in
    one public repository); it was refused whole. Its Archive sheet reads as the sheet's CSV."""
    from pipelines import ingest
    from pipelines.formats import read_archive
    from pipelines.formats.decode import prepare
    from pipelines.settings import load_settings

    folder = tmp_path / "archives"
    folder.mkdir()
    path = _workbook(folder / "TAGS - banco.xlsx", {"ReadmeSettings": [["TAGS v6.1"], ["Search:", "@AcmeBanco"]],
                                                     "Archive": _sheet_rows(), "Summary": [["top tweeters"]]})
    prepared, notes = prepare(path, tmp_path)
    assert notes == ["Excel workbook: its sheet 'Archive' read"] and detect_format(prepared) == "tags"
    read = read_archive(prepared, "tags")
    whole = read_tags(ARCHIVE)
    assert read.messages.equals(whole.messages) and read.quarantine.equals(whole.quarantine)
    # through ingest, found in a folder: one archive file, not its zip's parts
    settings = load_settings({"BRANDCARE_HOME": str(tmp_path / "home")})
    (record,) = ingest.ingest([str(folder)], settings)
    assert (record.format, record.status, record.records_read, record.records_loaded, record.records_quarantined) == (
        "tags", "loaded", 5, 3, 2)
    assert "Excel workbook: its sheet 'Archive' read" in record.notes


def test_a_workbook_never_reads_an_id_a_spreadsheet_rounded(tmp_path: Path) -> None:
    """A 19-digit id typed into a spreadsheet becomes a number, its last digits lost: read as
    the number it holds, so the row is quarantined and a reply's link left empty (and noted),
    never read as the rounded id of another tweet."""
    from pipelines.formats import read_archive
    from pipelines.formats.decode import prepare

    path = _workbook(tmp_path / "rounded.xlsx", {"Archive": _sheet_rows({"id_str": 0, "in_reply_to_status_id_str": 1})})
    read = read_archive(prepare(path, tmp_path)[0], "tags")
    (reason,) = read.quarantine.filter(pl.col("position") == 0)["reason"]
    assert reason.startswith("invalid id_str: 1.317275612260692e+18 (a spreadsheet wrote")  # the double the cell holds
    reply = read.messages.filter(pl.col("message_id") == "x:1317279000000000000").row(0, named=True)
    assert reply["parent_id"] is None
    assert any(note.startswith("1 in_reply_to_status_id_str value(s) are not ids") for note in read.notes)


def test_a_workbook_without_an_archive_sheet_is_rejected_naming_its_sheets(tmp_path: Path) -> None:
    from pipelines.formats.decode import prepare

    path = _workbook(tmp_path / "book.xlsx", {"Hoja1": _sheet_rows(), "Hoja2": [["x"]]})
    with pytest.raises(ArchiveError, match=r"an Excel workbook of 2 sheets \(Hoja1, Hoja2\), none named Archive"):
        prepare(path, tmp_path)
    # a workbook of one sheet: that sheet
    single = _workbook(tmp_path / "single.xlsx", {"Hoja1": _sheet_rows()})
    assert detect_format(prepare(single, tmp_path)[0]) == "tags"


def test_a_workbook_with_an_entity_declaration_is_refused_unexpanded(tmp_path: Path) -> None:
    """openpyxl parses a workbook's XML through defusedxml: a DTD is refused, never expanded."""
    import zipfile

    from pipelines.formats.decode import prepare

    good = _workbook(tmp_path / "good.xlsx", {"Archive": _sheet_rows()})
    bad = tmp_path / "laughs.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                data = b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>' + data
            target.writestr(info.filename, data)
    with pytest.raises(ArchiveError, match="not a readable Excel workbook"):
        prepare(bad, tmp_path)


def test_a_sheet_cut_off_outside_quotes_loads_the_others(tmp_path: Path) -> None:
    """A cut that falls outside quotes (in an unquoted text, or between two cells) left the last
    record with fewer cells and was loaded with what was left of it (its text cut, its later
    columns empty). Now: a last record with no line end and fewer cells than the header is
    quarantined; a whole last record without a line end is read."""
    data = ARCHIVE.read_bytes()
    whole = read_tags(ARCHIVE)
    starts = [0, *(i + 1 for i, line in enumerate(data) if line == ord("\n"))][1:-1]
    last = starts[-1]
    for cut in (last + 25, data.index(b",", data.index(b"+0000", last)) + 1):  # in the id/user cells; after created_at
        path = tmp_path / f"cut_{cut}.csv"
        path.write_bytes(data[:cut])
        read = read_tags(path)
        assert read.records_read == whole.records_read
        (reason,) = read.quarantine.filter(pl.col("position") == len(starts) - 1)["reason"]
        assert reason.startswith("the file ends inside this record, which has fewer fields than the header")
        assert read.messages.equals(whole.messages.filter(pl.col("position") < len(starts) - 1))
    path = tmp_path / "no_line_end.csv"
    path.write_bytes(data.rstrip(b"\r\n"))
    again = read_tags(path)
    assert again.messages.equals(whole.messages) and again.quarantine.equals(whole.quarantine)


def test_r_writes_na_in_empty_cells_and_no_id_is_said_lost(tmp_path: Path) -> None:
    """A real sheet exported through R (tidytags) has NA in every empty reply cell: the notes said
    10 reply ids were lost to a spreadsheet. NA is an empty cell; a rounded id still is lost."""
    header = "id_str,from_user,from_user_id_str,text,created_at,in_reply_to_status_id_str,user_followers_count\n"
    path = tmp_path / "sheet.csv"
    path.write_text(header
                    + "11,ana,154517048,hola,Sat Oct 17 01:25:54 +0000 2020,NA,NA\n"
                    + "12,bob,154517049,hey,Sat Oct 17 01:26:54 +0000 2020,1.31705E+18,15\n", encoding="utf-8")
    read = read_tags(path)
    assert read.messages["parent_id"].to_list() == [None, None]
    assert read.messages["author_followers"].to_list() == [None, 15]
    assert [note.split(",")[0] for note in read.notes] == ["1 in_reply_to_status_id_str value(s) are not ids"]
