"""The canonical-file reader (the message schema as CSV, JSON lines or Parquet).

``tests/fixtures/canonical/``:

- ``messages.csv``: a forum thread: a customer post with a text over two lines and
  ``;``-separated mentions, the brand's reply (kind empty = post, ``+02:00``, followers,
  ``deleted=false``), a post without zone, a message_id without its platform prefix, a
  post dated 2099, a post whose text is the quoted empty string;
- ``messages.jsonl``: an X complaint (mentions as a JSON list), the brand's reply
  (``deleted: true``), a repost without text, an unknown platform, a post without text, a
  truncated line, a line that is an array;
- ``messages.parquet`` (written with Polars): Facebook comments with a UTC timestamp
  column, a list column of mentions, and a row without created_at.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from pipelines import ingest
from pipelines.formats import ArchiveError, detect_format
from pipelines.formats.canonical_files import read_canonical
from pipelines.settings import load_settings

CANONICAL = Path(__file__).parent / "fixtures" / "canonical"
CSV, JSONL, PARQUET = CANONICAL / "messages.csv", CANONICAL / "messages.jsonl", CANONICAL / "messages.parquet"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def by_id(read) -> dict[str, dict]:
    return {row["message_id"]: row for row in read.messages.to_dicts()}


def reasons(read) -> dict[int, str]:
    return dict(zip(read.quarantine["position"], read.quarantine["reason"], strict=False))


def test_csv_rows_map_with_defaults_and_bad_rows_are_quarantined():
    read = read_canonical(CSV)
    assert read.records_read == 6
    rows = by_id(read)
    assert rows["blog:forum:101"] == {
        "message_id": "blog:forum:101", "version_id": "blog:forum:101", "platform": "blog", "native_id": "forum:101",
        "kind": "post", "conversation_id": "blog:forum:100", "parent_id": "blog:forum:100", "quoted_id": None,
        "reposted_id": None, "author_id": "cliente_ana", "author_handle": "Ana", "author_followers": None,
        "in_reply_to_author_id": None, "mentions": ["telvia", "telvia_ayuda"], "thread_owner": "Equipo Telvia",
        "created_at": utc(2026, 10, 2, 8, 15), "text": "Mi router no conecta, ¿alguien sabe algo?\nGracias",
        "lang": "es", "url": "https://foro.example/t/100#101", "deleted": None, "archive_sha256": None, "position": 0,
    }
    reply = rows["blog:forum:102"]
    assert reply["kind"] == "post" and reply["created_at"] == utc(2026, 10, 2, 8, 20)  # 10:20+02:00
    assert reply["author_followers"] == 1500 and reply["deleted"] is False and reply["mentions"] == []
    assert rows["blog:forum:106"]["text"] == ""  # quoted empty text is a text
    assert reasons(read) == {
        2: "timestamp without zone in created_at: 2026-10-02T09:00:00",
        3: "invalid message_id: forum:104 does not start with 'blog:'",
    }  # row 4, dated 2099, is loaded by the reader and quarantined by ingest's shared rules


def test_jsonl_rows_and_broken_lines():
    read = read_canonical(JSONL)
    assert read.records_read == 7
    rows = by_id(read)
    complaint = rows["x:1950000000000000001"]
    assert complaint["author_followers"] == 120 and complaint["mentions"] == ["telvia", "telvia_ayuda"]
    assert complaint["native_id"] == "1950000000000000001" and complaint["created_at"] == utc(2026, 10, 2, 8, 15)
    answer = rows["x:1950000000000000002"]
    assert answer["deleted"] is True and answer["in_reply_to_author_id"] == "7001"
    repost = rows["x:1950000000000000003"]
    assert repost["kind"] == "repost" and repost["text"] is None
    assert repost["reposted_id"] == "x:1950000000000000001"
    assert reasons(read) == {
        3: "invalid platform: mastodon (expected one of x, bluesky, facebook, blog)",
        4: "missing required field: text (required for kind post)",
        5: "not valid JSON (line 6)",
        6: "record is not a JSON object",
    }


def test_parquet_with_typed_columns():
    read = read_canonical(PARQUET)
    assert read.records_read == 3
    rows = by_id(read)
    comment = rows["facebook:771000000000009_880000000000091"]
    assert comment["created_at"] == utc(2026, 10, 3, 7, 30) and comment["mentions"] == ["telvia"]
    assert comment["native_id"] == "771000000000009_880000000000091" and comment["author_followers"] == 85
    assert reasons(read) == {2: "missing required field: created_at"}


def test_naive_parquet_timestamps_and_missing_columns(tmp_path: Path):
    naive = tmp_path / "naive.parquet"
    pl.read_parquet(PARQUET).head(1).with_columns(pl.col("created_at").dt.replace_time_zone(None)).write_parquet(naive)
    assert reasons(read_canonical(naive)) == {0: "timestamp without zone in created_at: 2026-10-03 07:30:00"}
    no_author = tmp_path / "no_author.csv"
    no_author.write_text("message_id,platform,created_at,text\nx:1,x,2026-10-02T08:15:00Z,hola\n")
    with pytest.raises(ArchiveError, match="missing required column\\(s\\) author_id"):
        read_canonical(no_author)


def test_wrong_values_name_their_field(tmp_path: Path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "message_id,platform,author_id,created_at,text,kind,author_followers,deleted,mentions\n"
        "x:1,x,7,2026-10-02T08:15:00Z,a,quote,,,\n"
        "x:2,x,7,2026-10-02T08:15:00Z,b,,many,,\n"
        "x:3,x,7,2026-10-02T08:15:00Z,c,,,maybe,\n"
        'x:4,x,7,2026-10-02T08:15:00Z,d,,,,"[""unclosed"\n'
        "x:5,x,7,yesterday,e,,,,\n"
        "x:6,x,,2026-10-02T08:15:00Z,f,,,,\n"
    )
    assert list(reasons(read_canonical(path)).values()) == [
        "invalid kind: quote (expected one of post, repost, delete, profile)",
        "invalid author_followers: many",
        "invalid deleted: maybe",
        'invalid mentions: ["unclosed',
        "invalid created_at: yesterday",
        "missing required field: author_id",
    ]


def test_ingest_detects_canonical_files_and_counts_every_record(tmp_path: Path):
    settings = load_settings({"BRANDCARE_HOME": str(tmp_path)})
    assert {detect_format(p) for p in (CSV, JSONL, PARQUET)} == {"canonical"}
    records = ingest.ingest([str(CSV), str(JSONL), str(PARQUET)], settings)
    assert [(r.format, r.status, r.records_read, r.records_loaded, r.records_quarantined) for r in records] == [
        ("canonical", "loaded", 6, 3, 3),
        ("canonical", "loaded", 7, 3, 4),
        ("canonical", "loaded", 3, 2, 1),
    ]
    assert ingest.reconcile(settings).is_empty()
    quarantined = pl.read_parquet(settings.quarantine_dir / "*.parquet").filter(pl.col("archive_sha256") == records[0].sha256)
    assert "timestamp in the future: 2099-01-01T00:00:00Z" in quarantined["reason"].to_list()
