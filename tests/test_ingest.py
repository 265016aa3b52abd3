"""Archive registration, format detection, the X v2 and WXR readers, and the lake's reconciliation."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines import ingest
from pipelines.formats import ArchiveError, detect_format
from pipelines.formats.decode import prepare
from pipelines.formats.twcs import read_twcs
from pipelines.formats.wxr import read_wxr
from pipelines.formats.x_archive import read_x_archive
from pipelines.formats.x_v2 import read_x_v2

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
X_PAGE = FIXTURES / "x_page_with_bad_records.json"
WXR = FIXTURES / "blog_wordpress.xml"


def test_x_v2_page_maps_tweets_and_quarantines_each_bad_record_with_its_reason():
    read = read_x_v2(X_PAGE)
    assert read.records_read == 8  # 7 in data + 1 in includes.tweets
    reasons = dict(zip(read.quarantine["position"], read.quarantine["reason"], strict=False))
    assert reasons == {
        1: "missing required field: id",
        2: "invalid created_at: not-a-date",
        3: "invalid created_at: 2026-10-02 08:16:00",
        4: "text is not a string",
        5: "record is not a JSON object",
    }
    rows = {r["message_id"]: r for r in read.messages.to_dicts()}
    complaint = rows["x:1900000000000000002"]
    assert complaint["author_handle"] == "ana" and complaint["author_followers"] == 120
    assert complaint["mentions"] == ["telvia", "900"]  # handles, then ids
    assert complaint["conversation_id"] == "x:1900000000000000002"
    assert str(complaint["created_at"]) == "2026-10-02 08:15:00+00:00"
    assert rows["x:1900000000000000001"]["author_followers"] is None  # never 0 for unknown
    repost = rows["x:1900000000000000007"]
    assert repost["kind"] == "repost" and repost["reposted_id"] == "x:1900000000000000002"


def test_x_v2_mentions_keep_the_order_written_each_once(tmp_path: Path):
    """A tweet's mentions are its handles in the order written, then their ids, each once: the
    same list on every read (DuckDB's list_distinct returns a hash order)."""
    page = json.loads(X_PAGE.read_text())
    page["data"][0]["entities"] = {"mentions": [
        {"username": handle, "id": user_id}
        for handle, user_id in [("Zeta", "9"), ("alpha", "1"), ("zeta", "9"), ("Mid", "5"), ("beta", "2")]
    ]}
    (tmp_path / "page.json").write_text(json.dumps(page))
    for _ in range(3):
        mentions = read_x_v2(tmp_path / "page.json").messages["mentions"][0].to_list()
        assert mentions == ["zeta", "alpha", "mid", "beta", "9", "1", "5", "2"]


def test_tweets_flattened_by_twarc2_take_handle_and_followers_from_their_own_author():
    """`twarc2 flatten` writes bare tweets with the author's user object inside, no includes,
    and the tweets each refers to whole inside its referenced_tweets (real output:
    tests/fixtures/twarc2/SOURCE.md); expected values read from the file's JSON: each tweet, then
    the tweets it carries (the first line is a retweet carrying its original)."""
    path = FIXTURES.parent / "twarc2" / "flat.jsonl"
    tweets = []
    for tweet in map(json.loads, path.read_text().splitlines()):
        tweets += [tweet, *(r for r in tweet.get("referenced_tweets", []) if "text" in r)]
    expected = [(t["id"], t["author"]["username"], t["author"]["public_metrics"]["followers_count"]) for t in tweets]
    read = read_x_v2(path)
    assert read.records_read == 4 and read.quarantine.is_empty()
    got = read.messages.select("native_id", "author_handle", "author_followers").rows()
    assert got == expected and all(handle for _, handle, _ in got)
    assert read.messages["url"].to_list() == [f"https://x.com/{h}/status/{i}" for i, h, _ in expected]


#: How X writes "AT&T <3 &lt;tag&gt;": it escapes '&', '<' and '>' as HTML entities (API v2,
#: v1.1, archives; twcs is v1.1 data), so '&lt;' typed by the author arrives as '&amp;lt;'.
X_ESCAPED, X_WRITTEN = "AT&amp;T &lt;3 &amp;lt;tag&amp;gt;", "AT&T <3 &lt;tag&gt;"


def test_x_texts_read_as_their_authors_wrote_them(tmp_path: Path):
    page = json.loads(X_PAGE.read_text())
    page["data"][0]["text"] = X_ESCAPED
    (tmp_path / "page.json").write_text(json.dumps(page))
    assert read_x_v2(tmp_path / "page.json").messages["text"][0] == X_WRITTEN

    twcs = FIXTURES.parent / "twcs" / "sample.csv"
    (tmp_path / "twcs.csv").write_text(twcs.read_text().replace("my internet has been down since this morning",
                                                                X_ESCAPED, 1))
    assert f"@TelviaSupport {X_WRITTEN}" in read_twcs(tmp_path / "twcs.csv").messages["text"].to_list()

    archive = shutil.copytree(FIXTURES.parent / "x_archive" / "full", tmp_path / "archive")  # account.js beside
    tweets = archive / "tweets.js"
    tweets.write_text(tweets.read_text().replace(
        "Esta noche hay mantenimiento de red en Madrid entre la 01:00 y las 03:00.", X_ESCAPED, 1))
    assert X_WRITTEN in read_x_archive(tweets).messages["text"].to_list()
    # tweets of 2011 in archives: their quotes escaped too (QA, a real archive: "chrome os&#39;s")
    tweets.write_text(tweets.read_text().replace(X_ESCAPED, "chrome os&#39;s &quot;fix&quot; &amp;#39;", 1))
    assert "chrome os's \"fix\" &#39;" in read_x_archive(tweets).messages["text"].to_list()


def test_a_long_post_reads_its_note_tweets_full_text_and_mentions(tmp_path: Path):
    # tweet.fields=note_tweet: text is the first 280 characters, note_tweet.text the post
    full = ("My order arrived broken and @acme_help has not answered in three days. I have called twice, "
            "emailed, and DMed. This is the second time this year that the same product arrives damaged. I want "
            "a refund, not another replacement that will arrive broken again. Please escalate, @acme_ceo.")
    tweet = {"id": "1700000000000000001", "author_id": "42", "created_at": "2023-09-08T10:00:00.000Z",
             "text": full[:270] + "… https://t.co/abc",
             "entities": {"mentions": [{"start": 28, "end": 38, "username": "acme_help", "id": "7"}]},
             "note_tweet": {"text": full, "entities": {"mentions": [
                 {"start": 28, "end": 38, "username": "acme_help", "id": "7"},
                 {"start": 283, "end": 292, "username": "acme_ceo", "id": "8"}]}}}
    (tmp_path / "page.json").write_text(json.dumps({"data": [tweet], "meta": {"result_count": 1}}))
    row = read_x_v2(tmp_path / "page.json").messages.row(0, named=True)
    assert row["text"] == full
    assert row["mentions"] == ["acme_help", "acme_ceo", "7", "8"]


def test_wxr_maps_posts_and_comments_and_excludes_spam():
    read = read_wxr(WXR)
    rows = {r["message_id"]: r for r in read.messages.to_dicts()}
    b = "blog:blog.example:"  # the blog's ids: its channel link without scheme
    assert set(rows) == {f"{b}10", f"{b}c5", f"{b}c6"}
    assert rows[f"{b}c5"]["parent_id"] == f"{b}10" and rows[f"{b}c6"]["parent_id"] == f"{b}c5"
    assert {r["conversation_id"] for r in rows.values()} == {f"{b}10"}
    assert rows[f"{b}c5"]["thread_owner"] == "Equipo Telvia"
    assert read.quarantine["reason"].to_list() == [
        "excluded: comment_approved=spam",
        "invalid wp:comment_date_gmt: '0000-00-00 00:00:00'",
    ]


def test_unsafe_xml_is_rejected(tmp_path: Path):
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaa">]><rss>&a;</rss>')
    with pytest.raises(ArchiveError, match="unsafe XML"):
        read_wxr(bomb)


def test_format_is_detected_from_content_not_name(tmp_path: Path):
    disguised = tmp_path / "export.txt"
    shutil.copy(WXR, disguised)
    assert detect_format(disguised) == "wxr"
    zipped = tmp_path / "page.bin"
    zipped.write_bytes(gzip.compress(X_PAGE.read_bytes()))
    work = tmp_path / "work"
    work.mkdir()
    readable, notes = prepare(zipped, work)
    assert detect_format(readable) == "x_v2" and notes == ["gzip decompressed"]
    empty = tmp_path / "empty.json"
    empty.write_text("")
    with pytest.raises(ArchiveError, match="empty file"):
        detect_format(empty)


def test_reingesting_the_same_file_adds_nothing(settings, tmp_path: Path):
    first = ingest.ingest([str(X_PAGE), str(WXR)], settings)
    copy = tmp_path / "same_content_other_name.json"
    shutil.copy(X_PAGE, copy)
    again = ingest.ingest([str(X_PAGE), str(copy)], settings)
    assert [r.sha256 for r in again] == [first[0].sha256] * 2
    assert len(ingest.registered(settings)) == 2
    lake_rows = pl.read_parquet(settings.message_rows_dir / "*.parquet")
    assert lake_rows.height == first[0].records_loaded + first[1].records_loaded
    assert ingest.reconcile(settings).is_empty()


def test_gzip_archive_is_read_and_a_broken_file_is_rejected_without_stopping_others(settings, tmp_path: Path):
    gz = tmp_path / "page.json.gz"
    gz.write_bytes(gzip.compress(X_PAGE.read_bytes()))
    broken = tmp_path / "broken.json"
    broken.write_text('{"data": [{"id": "1", "text": "hello", "author_id": "2"')
    unknown = tmp_path / "notes.txt"
    unknown.write_text("just some notes")
    records = {r.name: r for r in ingest.ingest([str(broken), str(unknown), str(gz)], settings)}
    assert records["page.json.gz"].status == "loaded" and records["page.json.gz"].records_read == 8
    assert records["broken.json"].status == "rejected" and "X API v2" in records["broken.json"].error
    assert records["notes.txt"].status == "rejected" and "unknown format" in records["notes.txt"].error
    for record in records.values():
        assert record.records_read == record.records_loaded + record.records_quarantined
    assert ingest.reconcile(settings).is_empty()


def test_reconcile_notices_rows_the_file_record_does_not_account_for(settings):
    (record,) = ingest.ingest([str(X_PAGE)], settings)
    stray = pl.read_parquet(settings.quarantine_dir / "*.parquet").filter(pl.col("archive_sha256") == record.sha256).head(1)
    ingest.write_parquet(stray, settings.quarantine_dir / "stray.parquet")
    mismatches = ingest.reconcile(settings)
    assert mismatches["sha256"].to_list() == [record.sha256]
    assert mismatches["lake_quarantined"].to_list() == [record.records_quarantined + 1]


def test_nothing_is_written_outside_the_home(settings, tmp_path: Path):
    source = tmp_path / "src"
    source.mkdir()
    shutil.copy(X_PAGE, source / "page.json")
    before = sorted(p for p in tmp_path.rglob("*") if not str(p).startswith(str(settings.home)))
    ingest.ingest([str(source)], settings)
    after = sorted(p for p in tmp_path.rglob("*") if not str(p).startswith(str(settings.home)))
    assert before == after


def test_reader_calls_share_one_database_with_the_settings_set_once(tmp_path: Path):
    """Inside reader_database (an ingest), each reader call is a cursor of one DuckDB database
    opened with the memory limit and spill folder given, not a new database: temp objects of
    one call (canonical's temp table, Bluesky's temp macros) never reach the next."""
    from pipelines.formats import read_archive
    from pipelines.formats.base import duckdb_session, reader_database

    canonical = Path(__file__).parent / "fixtures" / "canonical"
    spill = tmp_path / "spill"
    alone = [read_archive(canonical / "messages.jsonl", "canonical") for _ in range(2)]
    spill.mkdir()
    with reader_database({"memory_limit": "123MB", "temp_directory": str(spill)}):
        with duckdb_session("a test") as first:
            first.execute("create temp table mine as select 1 as x")
            limit, folder = first.execute(
                "select current_setting('memory_limit'), current_setting('temp_directory')").fetchone()
            database = first.execute("select current_setting('TimeZone')").fetchone()[0]
        with duckdb_session("a test") as second:  # the same database, but not the first call's temp objects
            assert second.execute("select current_setting('temp_directory')").fetchone()[0] == str(spill)
            assert second.execute("select count(*) from duckdb_tables() where table_name = 'mine'").fetchone()[0] == 0
            second.execute("create table survives_calls as select 1 as x")  # in the database, not the cursor
        # after such an error DuckDB refuses every query of the database
        with pytest.raises(ArchiveError, match="not readable as a failing call: INTERNAL"), \
                duckdb_session("a failing call"):
            raise duckdb.InternalException("INTERNAL Error: as DuckDB raises it")
        with duckdb_session("the next call") as after:  # a new database, with the same settings
            assert after.execute("select count(*) from duckdb_tables() where table_name = 'survives_calls'"
                                 ).fetchone()[0] == 0
            assert after.execute("select current_setting('temp_directory')").fetchone()[0] == str(spill)
        shared = [read_archive(canonical / "messages.jsonl", "canonical") for _ in range(2)]
        bluesky = [read_archive(Path(__file__).parent / "fixtures" / "bluesky" / "jetstream.jsonl", "bluesky")
                   for _ in range(2)]
    assert (limit, folder, database) == ("117.3 MiB", str(spill), "UTC")  # 123 MB, as DuckDB shows it
    assert spill.is_dir()
    with duckdb_session("a test") as outside:  # the database is closed with reader_database: a private one
        assert outside.execute("select current_setting('temp_directory')").fetchone()[0] != str(spill)
    for ours, theirs in zip(shared, alone, strict=True):
        assert ours.messages.equals(theirs.messages) and ours.quarantine.equals(theirs.quarantine)
    assert bluesky[0].messages.equals(bluesky[1].messages)


@pytest.mark.parametrize("text", ['{"meta":{"result_count":0}}', '{\n  "meta": {\n    "result_count": 0\n  }\n}\n'])
def test_a_search_page_that_found_nothing_is_an_x_v2_page_of_no_records(tmp_path, text):
    """A real v2 search with no results (a recorded tweepy response) was rejected as an unknown
    format, and a folder of such pages made the whole ingest fail."""
    path = tmp_path / "page.json"
    path.write_text(text)
    assert detect_format(path) == "x_v2"
    read = read_x_v2(path)
    assert (read.messages.height, read.quarantine.height) == (0, 0)


@pytest.mark.parametrize("text", [
    # rtweet's recorded search (MIT), verbatim but for the query
    '{"statuses":[],"search_metadata":{"completed_in":0.013,"max_id":1590090939464577024,"max_id_str":'
    '"1590090939464577024","query":"abcabc","refresh_url":"?since_id=1590090939464577024&q=abcabc&result_type='
    'mixed&include_entities=1","count":100,"since_id":0,"since_id_str":"0"}}',
    '{"search_metadata": {"count": 100, "query": "to:AcmeHelp"}, "statuses": []}',
    '{"results": [], "requestParameters": {"maxResults": 100, "fromDate": "202001010000"}}',  # premium
])
def test_a_v11_search_page_that_found_nothing_is_a_page_of_no_records(tmp_path, text):
    """As for v2: a real v1.1 search that found nothing was rejected as an unknown format (QA)."""
    from pipelines.formats import read_archive

    path = tmp_path / "page.json"
    path.write_text(text)
    assert detect_format(path) == "x_v11"
    read = read_archive(path, "x_v11")
    assert (read.messages.height, read.quarantine.height) == (0, 0)


@pytest.mark.parametrize("text", ["[]", " {}\n"])
def test_an_empty_json_file_is_rejected_as_holding_no_records(tmp_path, text):
    path = tmp_path / "page.json"
    path.write_text(text)
    with pytest.raises(ArchiveError, match="no records: an empty JSON array or object"):
        detect_format(path)


def test_a_table_resaved_by_pandas_as_json_is_rejected_saying_so(tmp_path):
    """snscrape's tweets re-saved with DataFrame.to_json() (a real research repository's file,
    QA) were rejected as 'JSON that matches no known archive format', with nothing to act on."""
    path = tmp_path / "teamTweets.json"
    path.write_text('{"url":{"0":"https:\\/\\/twitter.com\\/WestCoastFever\\/status\\/1444855783418593283"},'
                    '"date":{"0":1633315437000},"content":{"0":"Something new is here..."},'
                    '"id":{"0":1444855783418593283},"username":{"0":"WestCoastFever"}}')
    with pytest.raises(ArchiveError, match=r"columns keyed by row number, as pandas' DataFrame.to_json\(\) writes"):
        detect_format(path)
