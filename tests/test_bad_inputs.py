"""A corpus of broken archives: each gives its expected error or quarantine reason, nothing is
lost (records read = loaded + quarantined), nothing is written outside BRANDCARE_HOME, and the
good files ingested beside them are still published."""

from __future__ import annotations

import gzip
import io
import json
import zipfile

import polars as pl
import pytest

from support import FIXTURES, run_brandcare

GOOD_TWEET = {
    "id": "1950000000000000001", "text": "@telvia my internet is not working, terrible", "author_id": "601",
    "created_at": "2026-10-05T10:00:00.000Z", "conversation_id": "1950000000000000001",
    "edit_history_tweet_ids": ["1950000000000000001"], "lang": "en",
    "entities": {"mentions": [{"start": 0, "end": 7, "username": "telvia"}]},
}


def _tweet(n: int, **fields) -> dict:
    tweet = dict(GOOD_TWEET, id=str(1950000000000000100 + n), edit_history_tweet_ids=[str(1950000000000000100 + n)],
                 conversation_id=str(1950000000000000100 + n))
    tweet.update(fields)
    return {k: v for k, v in tweet.items() if v is not None}


def _page(*tweets: dict) -> bytes:
    return json.dumps({"data": list(tweets), "includes": {"users": [
        {"id": "601", "username": "maria", "public_metrics": {"followers_count": 40}}]},
        "meta": {"result_count": len(tweets)}}).encode()


def _jsonl(*tweets: dict, newline: bytes = b"\n") -> bytes:
    return newline.join(json.dumps(t, ensure_ascii=False).encode() for t in tweets) + newline


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>&lol2;</title></channel></rss>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>&xxe;</title></channel></rss>"""
WXR = (FIXTURES / "ingest" / "blog_wordpress.xml").read_bytes()
LATIN1_TEXT = "@telvia la conexión falla otra vez, qué desastre"

# name -> (content, expected status, expected error (rejected) or quarantine reasons (loaded), expected note)
CORPUS: dict[str, tuple[bytes, str, str | set[str], str | None]] = {
    "empty.json": (b"", "rejected", "empty file", None),
    "only_whitespace.json": (b"  \n\r\n ", "rejected", "empty file", None),
    "truncated_page.json": (_page(_tweet(1))[:-40], "rejected", "not readable as X API v2 JSON", None),
    "truncated_export.xml": (WXR[: len(WXR) // 2], "rejected", "not well-formed XML", None),
    "unknown.txt": (b"dear diary, today the router broke", "rejected", "unknown format", None),
    "unknown_json.json": (b'[{"foo": 1}]', "rejected", "unknown format: JSON", None),
    "billion_laughs.xml": (BILLION_LAUGHS, "rejected", "unsafe XML rejected", None),
    "external_entity.xml": (EXTERNAL_ENTITY, "rejected", "unsafe XML rejected", None),
    "damaged.json.gz": (gzip.compress(_page(_tweet(2)))[:30], "rejected", "damaged gzip file", None),
    "gzip_bomb.json.gz": (gzip.compress(b"{" + b" " * (8 << 20)), "rejected", "decompression bomb", None),
    "zip_slip.zip": (_zip({"../../escaped.json": _page(_tweet(3))}), "rejected", "unsafe zip entry path", None),
    "zip_bomb.zip": (_zip({"bomb.json": b" " * (8 << 20)}), "rejected", "decompression bomb", None),
    "damaged.zip": (b"PK\x03\x04" + b"\x00" * 60, "rejected", "damaged zip archive", None),
    # an .xlsx is a zip of XML parts: one file, not read as 3 files of unknown format (QA); this one is broken
    "Archive.xlsx": (_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                           "xl/worksheets/sheet1.xml": b"<worksheet/>"}), "rejected", "not a readable Excel workbook",
                     None),
    "Report.docx": (_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<document/>"}), "rejected",
                    "a Word document, not an archive format brandcare reads", None),
    "bom.json": (b"\xef\xbb\xbf" + _page(_tweet(4)), "loaded", set(), "byte-order mark removed"),
    "crlf.jsonl": (_jsonl(_tweet(5), _tweet(6), newline=b"\r\n"), "loaded", set(), None),
    # UTF-16 with its byte-order mark: PowerShell's files, and Excel's "Unicode Text" (a sheet
    # saved as tab-separated UTF-16); they were skipped in a folder as binary data
    "utf16.jsonl": (_jsonl(_tweet(23)).decode().encode("utf-16"), "loaded", set(), "UTF-16 decoded"),
    "utf16_sheet.txt": (pl.read_csv(FIXTURES / "tags" / "archive.csv", infer_schema=False).write_csv(separator="\t")
                        .encode("utf-16"), "loaded",
                        {"invalid created_at: el sábado", "missing required field: from_user_id_str"}, "UTF-16 decoded"),
    "utf16_broken.json": (b"\xff\xfe{\x00\"", "rejected", "starts with a UTF-16 byte-order mark but is not UTF-16", None),
    # lines of white space are not records: a tab, an ideographic space (Unicode Zs), a lone CR
    "blank_lines.jsonl": (_jsonl(_tweet(21)) + "\t\n \u3000 \n\n\r\n".encode() + _jsonl(_tweet(22)),
                          "loaded", set(), None),
    "latin1.jsonl": (json.dumps(_tweet(7, text=LATIN1_TEXT), ensure_ascii=False).encode("latin-1") + b"\n",
                     "loaded", set(), "decoded as Latin-1"),
    "damaged_utf8.jsonl": (_jsonl(_tweet(8, text="señal caída ✓")).replace("✓".encode(), b"\xe2\x9c"),
                           "loaded", set(), "invalid UTF-8 byte sequence"),
    "huge_single_line.json": (_page(*[_tweet(100 + i) for i in range(4000)]), "loaded", set(), None),
    "missing_fields.jsonl": (_jsonl(_tweet(9, id=None), _tweet(10, author_id=None), _tweet(11, created_at=None),
                                    _tweet(12, text=None), _tweet(13)),
                             "loaded", {"missing required field: id", "missing required field: author_id",
                                        "missing required field: created_at", "missing required field: text"}, None),
    "timestamp_without_zone.jsonl": (_jsonl(_tweet(14, created_at="2026-10-05 10:00:00"), _tweet(15)),
                                     "loaded", {"invalid created_at: 2026-10-05 10:00:00"}, None),
    "timestamp_in_future.jsonl": (_jsonl(_tweet(16, created_at="2099-01-01T00:00:00.000Z"), _tweet(17)),
                                  "loaded", {"timestamp in the future: 2099-01-01T00:00:00Z"}, None),
    # an epoch-zero placeholder made a home unrunnable: its month is before the partitions (QA)
    "timestamp_epoch_zero.jsonl": (_jsonl(_tweet(30, created_at="1970-01-01T00:00:00.000Z"), _tweet(31)),
                                   "loaded", {"timestamp before 2000-01-01 (a placeholder date): 1970-01-01T00:00:00Z"},
                                   None),
    "duplicate_ids_different_content.jsonl": (
        _jsonl(_tweet(18), _tweet(18, text="@telvia a different text under the same id"), _tweet(18)),
        "loaded", {"duplicate id x:1950000000000000118 with different content (first at position 0)"}, None),
    "wrong_types.jsonl": (_jsonl(_tweet(19, text=12345), "just a string", _tweet(20)),  # type: ignore[arg-type]
                          "loaded", {"text is not a string", "record is not a JSON object"}, None),
    "wordpress_bad_dates.xml": (WXR, "loaded", {"excluded: comment_approved=spam",
                                                "invalid wp:comment_date_gmt: '0000-00-00 00:00:00'"}, None),
}


def test_corpus_is_big_enough():
    assert len(CORPUS) >= 20


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad_inputs")
    corpus = root / "corpus"
    corpus.mkdir()
    for name, (content, *_rest) in CORPUS.items():
        (corpus / name).write_bytes(content)
    home = root / "home"
    outside_before = sorted(str(p) for p in root.rglob("*"))
    run = run_brandcare(home, [corpus, FIXTURES / "x_v2"], FIXTURES / "x_v2" / "brands.yaml")
    outside_after = sorted(str(p) for p in root.rglob("*") if not str(p).startswith(str(home)))
    return run, outside_before, outside_after


def _archive_row(run, name: str) -> dict:
    rows = [r for r in run.query("select * from archive_files") if r["name"].split("/")[0] == name]
    assert rows, f"{name} is not in archive_files"
    return rows[0]


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_each_bad_file_gives_its_error_or_quarantine_reason(corpus_run, name):
    run, _, _ = corpus_run
    _, status, expected, note = CORPUS[name]
    row = _archive_row(run, name)
    assert row["status"] == status, row
    assert row["records_read"] == row["records_loaded"] + row["records_quarantined"]
    if status == "rejected":
        assert expected in row["error"], row["error"]
        assert row["records_loaded"] == 0
    else:
        reasons = {q["reason"] for q in run.query(
            "select reason from quarantine where archive_sha256 = $sha", {"sha": row["sha256"]})}
        assert reasons == expected
        assert row["records_loaded"] > 0
    if note:
        assert note in (row["notes"] or ""), row["notes"]


def test_nothing_is_written_outside_the_home(corpus_run):
    run, before, after = corpus_run
    assert before == after
    assert not any("escaped.json" in p for p in after)


def test_good_files_in_the_same_run_are_published(corpus_run):
    run, _, _ = corpus_run
    assert run.result.success
    cases = run.query("select count(*) as n from care_cases where brand_id = 'telvia'")[0]["n"]
    assert cases >= 5
    texts = {r["text"] for r in run.query("select text from messages")}
    assert LATIN1_TEXT in texts
    assert "señal caída \ufffd" in texts


def test_lines_of_white_space_are_not_records(corpus_run):
    run, _, _ = corpus_run
    row = _archive_row(run, "blank_lines.jsonl")
    assert (row["records_read"], row["records_loaded"], row["records_quarantined"]) == (2, 2, 0)
