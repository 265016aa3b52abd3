"""The twcs (Customer Support on Twitter) CSV reader, on hand-written copies of the dataset.

``tests/fixtures/twcs/``:

- ``sample.csv``: the dataset's own layout: customers (numbers) and brands (handles
  TelviaSupport, KuboEnergia), parents written as floats (``1.0``), a quoted text over two
  lines with ``""`` quotes, a quoted ``response_tweet_id`` list, and four rows that cannot be
  read (tweet_id ``abc``, empty author_id, created_at ``yesterday``, one field too many);
- ``excel_index_crlf.csv``: an Excel save: BOM, CRLF, a leading unnamed index column,
  ``TRUE``/``FALSE``, a damaged ``response_tweet_id`` (``#VALUE!``), a row broken by a bare
  carriage return inside unquoted text, and a quoted text over two lines;
- ``latin1.csv``: a Latin-1 copy (``señal``, ``¡Lo sentimos!``);
- ``brands.yaml``: the two brands, by handle.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from pipelines import ingest
from pipelines.formats import ArchiveError
from pipelines.formats.twcs import read_twcs
from pipelines.settings import load_settings
from support import run_brandcare

TWCS = Path(__file__).parent / "fixtures" / "twcs"
HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def by_id(read) -> dict[str, dict]:
    return {row["message_id"]: row for row in read.messages.to_dicts()}


def test_customer_and_brand_rows_map_to_namespaced_posts():
    read = read_twcs(TWCS / "sample.csv")
    assert read.records_read == 10
    rows = by_id(read)
    assert set(rows) == {f"x:twcs:{i}" for i in range(1, 7)}
    complaint = rows["x:twcs:1"]
    assert complaint == {
        "message_id": "x:twcs:1", "version_id": "x:twcs:1", "platform": "x", "native_id": "twcs:1", "kind": "post",
        "conversation_id": None, "parent_id": None, "quoted_id": None, "reposted_id": None,
        "author_id": "115712", "author_handle": "115712", "author_followers": None, "in_reply_to_author_id": None,
        "mentions": ["telviasupport"], "thread_owner": None, "created_at": utc(2017, 10, 31, 22, 10, 47),
        "text": "@TelviaSupport my internet has been down since this morning", "lang": None, "url": None,
        "deleted": None, "archive_sha256": None, "position": 0,
    }
    answer = rows["x:twcs:2"]
    assert answer["author_id"] == answer["author_handle"] == "TelviaSupport"
    assert answer["parent_id"] == "x:twcs:1"  # written 1.0
    assert answer["mentions"] == ["115712"]  # help@telvia.example is an address, not a mention
    thanks = rows["x:twcs:3"]
    assert thanks["text"] == '@TelviaSupport Done.\nThanks for the "quick" answer'
    assert thanks["parent_id"] == "x:twcs:2" and thanks["position"] == 2
    assert rows["x:twcs:4"]["mentions"] == ["kuboenergia", "115712"]
    assert rows["x:twcs:5"]["parent_id"] == "x:twcs:4"  # written 4
    assert rows["x:twcs:6"]["mentions"] == ["kuboenergia"]  # the same handle twice is one mention


def test_unreadable_rows_are_quarantined_with_position_reason_and_raw_line():
    quarantine = read_twcs(TWCS / "sample.csv").quarantine.to_dicts()
    assert [(q["position"], q["reason"]) for q in quarantine] == [
        (6, "invalid tweet_id: abc"),
        (7, "missing required field: author_id"),
        (8, "invalid created_at: yesterday"),
        (9, "wrong column count: 8 fields, expected 7 (the header's) (line 12)"),
    ]
    assert quarantine[3]["excerpt"] == "9,115714,True,Wed Nov 01 09:10:00 +0000 2017,@KuboEnergia one,two,,"


def test_excel_copy_with_index_column_crlf_and_a_row_broken_by_a_bare_carriage_return():
    read = read_twcs(TWCS / "excel_index_crlf.csv")
    assert read.quarantine.is_empty() and read.records_read == 4
    rows = by_id(read)
    assert rows["x:twcs:101"]["text"] == "@TelviaSupport my bill is wrong\nit charges me twice"
    assert rows["x:twcs:101"]["position"] == 0 and rows["x:twcs:101"]["author_id"] == "115800"
    assert rows["x:twcs:102"]["parent_id"] == "x:twcs:101"  # response_tweet_id '#VALUE!' is ignored
    assert rows["x:twcs:103"]["text"] == "@KuboEnergia hello,\nis anyone there?"
    answer = rows["x:twcs:104"]
    assert answer | {"author_id": "KuboEnergia", "parent_id": "x:twcs:103", "position": 3,
                     "created_at": utc(2017, 11, 2, 11, 30, 0)} == answer


def test_latin1_copy_is_decoded():
    rows = by_id(read_twcs(TWCS / "latin1.csv"))
    assert rows["x:twcs:201"]["text"] == "@TelviaSupport la señal es pésima en Logroño"
    assert rows["x:twcs:202"]["text"].startswith("@115900 ¡Lo sentimos!")


def test_semicolon_separated_excel_save_and_quoted_header(tmp_path: Path):
    # a Spanish Excel: ';' between fields, VERDADERO/FALSO (records are recognised by their date)
    saved = tmp_path / "excel_es.csv"
    saved.write_text('"' + HEADER.replace(",", '";"') + '"\n'
                     "11;115712;VERDADERO;Tue Oct 31 22:10:47 +0000 2017;@TelviaSupport hola, ¿hay alguien?;;\n"
                     "12;TelviaSupport;FALSO;Tue Oct 31 22:12:00 +0000 2017;@115712 ¡Hola!;;11\n")
    read = read_twcs(saved)
    assert by_id(read)["x:twcs:11"]["text"] == "@TelviaSupport hola, ¿hay alguien?"
    assert by_id(read)["x:twcs:12"]["parent_id"] == "x:twcs:11"


def test_file_without_the_required_header_is_rejected(tmp_path: Path):
    headless = tmp_path / "headless.csv"
    headless.write_text("1,115712,True,Tue Oct 31 22:10:47 +0000 2017,hello,,\n")
    with pytest.raises(ArchiveError, match="lacks column.*tweet_id, author_id, inbound, created_at, text"):
        read_twcs(headless)
    partial = tmp_path / "partial.csv"
    partial.write_text("tweet_id,author_id,inbound,created_at,text\n"
                       "1,115712,True,Tue Oct 31 22:10:47 +0000 2017,hi\n")
    with pytest.raises(ArchiveError, match=r"lacks column\(s\) in_response_to_tweet_id$"):
        read_twcs(partial)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ArchiveError, match="header"):
        read_twcs(empty)


def test_rows_broken_by_carriage_returns_are_glued_and_short_rows_quarantined(tmp_path: Path):
    damaged = tmp_path / "damaged.csv"
    damaged.write_bytes(
        (HEADER + "\n"
         "1,115712,True,Tue Oct 31 22:10:47 +0000 2017,first part\rsecond part\rthird part,,\n"
         "2,TelviaSupport,False,Tue Oct 31 22:11:00 +0000 2017,@115712 ok,,1\n"
         "3,115712,True,Tue Oct 31 22:12:00 +0000 2017,cut short\n"
         "4,115712,True,Tue Oct 31 22:13:00 +0000 2017,broken\rtext,with,one field too many,,\n"
         "5,115712,True,Tue Oct 31 22:14:00 +0000 2017,fine,,\n").encode()
    )
    read = read_twcs(damaged)
    assert by_id(read)["x:twcs:1"]["text"] == "first part\nsecond part\nthird part"
    assert set(by_id(read)) == {"x:twcs:1", "x:twcs:2", "x:twcs:5"}
    assert read.quarantine.select("position", "reason", "excerpt").rows() == [
        (2, "wrong column count: 5 fields, expected 7 (the header's) (line 4)",
         "3,115712,True,Tue Oct 31 22:12:00 +0000 2017,cut short"),
        (3, "wrong column count: 9 fields, expected 7 (the header's) (line 5)",
         "4,115712,True,Tue Oct 31 22:13:00 +0000 2017,broken\ntext,with,one field too many,,"),
    ]


def test_ingest_detects_twcs_and_counts_every_record(tmp_path: Path):
    settings = load_settings({"BRANDCARE_HOME": str(tmp_path / "home")})
    sources = [TWCS / "sample.csv", TWCS / "excel_index_crlf.csv", TWCS / "latin1.csv"]
    records = {r.name: r for r in ingest.ingest([str(s) for s in sources], settings)}
    counts = {name: (r.format, r.status, r.records_read, r.records_loaded, r.records_quarantined)
              for name, r in records.items()}
    assert counts == {
        "sample.csv": ("twcs", "loaded", 10, 6, 4),
        "excel_index_crlf.csv": ("twcs", "loaded", 4, 4, 0),
        "latin1.csv": ("twcs", "loaded", 2, 2, 0),
    }
    assert "Latin-1" in records["latin1.csv"].notes
    assert ingest.reconcile(settings).is_empty()


@pytest.mark.e2e
def test_customer_tweet_answered_by_the_brand_handle_is_a_responded_case(tmp_path: Path):
    run = run_brandcare(tmp_path / "home", [TWCS / "sample.csv"], TWCS / "brands.yaml")
    assert run.result.success
    (case,) = run.query(
        "select brand_id, customer_id, opened_message_id, conversation_id, responded, first_response_min "
        "from care_cases where customer_id = '115712'"
    )
    assert case == {"brand_id": "telvia", "customer_id": "115712", "opened_message_id": "x:twcs:1",
                    "conversation_id": "x:twcs:1", "responded": True, "first_response_min": pytest.approx(58 / 60)}
    kubo = run.query("select customer_id, responded from care_cases where brand_id = 'kubo'")
    assert kubo == [{"customer_id": "115713", "responded": True}]


def test_texts_garbled_by_a_wrong_decoding_read_as_written() -> None:
    """Real twcs rows whose UTF-8 was read as Windows-1252 and saved again
    (fixtures/twcs/excel_mojibake/SOURCE.md): the emoji come back, read off the garbled bytes by
    hand (F0 9F 91 86 is U+1F446)."""
    read = read_twcs(TWCS / "excel_mojibake" / "walmart_replies.csv")
    assert read.quarantine.is_empty()
    assert read.notes == ("4 text(s) repaired: UTF-8 that had been read as Windows-1252 (mojibake)",)
    assert dict(zip(read.messages["native_id"], read.messages["text"], strict=True)) == {
        "twcs:18664": "@1239 You girls rock! Stars in the making. \u2b50-Sabi",
        "twcs:18667": "@120162 Winner! \U0001f446 What a great way to end the day. \U0001f383 -Sabi",
        "twcs:19965": "@120383 Thanks for the shout out! Looks like the pool-or-treat was s-pool-tacular. \U0001f47b -Sabi",
        "twcs:19970": "@120385 Awesome! #WalmartFind \U0001f434 -Sabi",
    }


def test_text_that_only_looks_garbled_is_left_alone() -> None:
    from pipelines.formats.base import repair_mojibake

    written = ["¿Qué pasó con mi pedido? Año nuevo en São Paulo", "Precio: 20 €, “oferta” — ¡ya!", "Ã© is how é breaks"]
    frame = pl.DataFrame({"text": written})
    repaired, count = repair_mojibake(frame)
    assert (repaired["text"].to_list(), count) == ([*written[:2], "é is how é breaks"], 1)
