"""The twarc-csv reader (``twarc_csv``): the same real tweets read from twarc2's JSON
(``x_v2``, tests/fixtures/twarc2/stream.jsonl) and from the CSV twarc-csv made of them
(stream.csv; SOURCE.md there) give the same messages."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipelines.formats import ArchiveError, detect_format, read_archive
from pipelines.formats.twarc_csv import read_twarc_csv
from support import FIXTURES

TWARC2 = FIXTURES / "twarc2"
COLUMNS = ["message_id", "version_id", "kind", "conversation_id", "parent_id", "quoted_id", "reposted_id",
           "author_id", "author_handle", "author_followers", "in_reply_to_author_id", "mentions", "created_at",
           "text", "lang", "url"]


def test_the_csv_and_the_json_of_the_same_tweets_read_the_same() -> None:
    assert detect_format(TWARC2 / "stream.csv") == "twarc_csv"
    from_csv = read_archive(TWARC2 / "stream.csv", "twarc_csv")
    assert (from_csv.records_read, from_csv.messages.height) == (7, 7)
    # the JSON also holds the tweets they refer to (includes.tweets), which twarc-csv leaves out
    from_json = read_archive(TWARC2 / "stream.jsonl", "x_v2").messages
    same = from_json.filter(pl.col("version_id").is_in(from_csv.messages["version_id"].implode()))
    same = same.unique("version_id", keep="first", maintain_order=True)
    assert from_csv.messages.select(COLUMNS).sort("version_id").equals(same.select(COLUMNS).sort("version_id"))
    # a reply with its mention, and a text whose line break twarc-csv wrote as "\n"
    rows = {r["version_id"]: r for r in from_csv.messages.to_dicts()}
    reply = rows["x:1377650093109743620"]
    assert (reply["parent_id"], reply["mentions"], reply["author_followers"]) == (
        "x:1377266697850257410", ["policemutual"], 837)
    assert rows["x:1377650387579248643"]["text"].startswith("Sometimes I wish she would just relax😅😘🐶\n#Dogs")


def test_bad_rows_are_quarantined_and_a_file_without_the_columns_is_rejected(tmp_path: Path) -> None:
    header = "id,conversation_id,author_id,author.username,created_at,text,entities.mentions,edit_history_tweet_ids\n"
    path = tmp_path / "tweets.csv"
    path.write_text(header
                    + '2,1,9,ana,2021-04-01T15:52:32.000Z,"@Acme hi","[""@Acme""]","[""1"",""2""]"\n'
                    + "x3,1,9,ana,2021-04-01T15:52:32.000Z,hi,,\n"
                    + "4,1,,ana,2021-04-01T15:52:32.000Z,hi,,\n"
                    + "5,1,9,ana,yesterday,hi,,\n")
    assert detect_format(path) == "twarc_csv"
    read = read_twarc_csv(path)
    assert read.records_read == 4
    (row,) = read.messages.to_dicts()
    # an edited tweet is its first version's message; mentions from twarc-csv's "@handle" list
    assert (row["message_id"], row["version_id"], row["mentions"]) == ("x:1", "x:2", ["acme"])
    assert read.quarantine.select("position", "reason").rows() == [
        (1, "invalid id: x3"), (2, "missing required field: author_id"), (3, "invalid created_at: yesterday"),
    ]
    no_text = tmp_path / "no_text.csv"
    no_text.write_text("id,conversation_id,author_id,created_at\n1,1,9,2021-04-01T15:52:32.000Z\n")
    with pytest.raises(ArchiveError, match="no column text"):
        read_twarc_csv(no_text)


def test_what_twarc_csv_options_and_spreadsheets_do_to_a_file_reads_back(tmp_path: Path) -> None:
    header = ("id,conversation_id,author_id,author.username,author.public_metrics.followers_count,created_at,"
              "text,entities.mentions,edit_history_tweet_ids\n")
    path = tmp_path / "tweets.csv"
    path.write_text(header
                    # pandas wrote the batch's counts as floats; Python reprs (--no-json-encode-lists)
                    + "\"2\",1,9,ana,443.0,2021-04-01T15:52:32.000Z,\"  spaced  \",\"['@Acme', '@Beta']\","
                      "\"['1', '2']\"\n"
                    # an author id a spreadsheet re-saved with lost digits
                    + "3,1,1.54517E+08,bob,5,2021-04-01T15:52:32.000Z,hi,,\n")
    read = read_twarc_csv(path)
    (row,) = read.messages.to_dicts()
    assert (row["message_id"], row["author_followers"], row["mentions"], row["text"]) == (
        "x:1", 443, ["acme", "beta"], "  spaced  ")
    assert read.quarantine["reason"].to_list() == [
        "invalid author_id: 1.54517E+08 (a spreadsheet wrote the id as a number: its digits are lost; export the "
        "sheet again with its id columns as text)"]
    # --json-encode-text: every text a JSON string, its line break an escape, read back exactly
    encoded = tmp_path / "encoded.csv"
    encoded.write_text('id,author_id,created_at,text,conversation_id\n'
                       '1,9,2021-04-01T15:52:32.000Z,"""line one\\nC:\\\\new""",1\n')
    assert read_twarc_csv(encoded).messages["text"].to_list() == ["line one\nC:\\new"]
    # re-saved with ';' (a spreadsheet in another locale)
    semicolons = tmp_path / "semicolons.csv"
    semicolons.write_text("id;conversation_id;author_id;created_at;text\n7;7;9;2021-04-01T15:52:32.000Z;hola, qué tal\n")
    assert detect_format(semicolons) == "twarc_csv"
    assert read_twarc_csv(semicolons).messages["text"].to_list() == ["hola, qué tal"]


def test_an_early_twarc_csv_reads_its_references_from_the_referenced_tweets_column() -> None:
    # real: twarc-csv's own test data of 2019 tweets, the CSV and the JSON it was made from
    from_csv = read_archive(TWARC2 / "small_sample.csv", detect_format(TWARC2 / "small_sample.csv"))
    from_json = read_archive(TWARC2 / "small_sample.json", "x_v2")
    assert (from_csv.records_read, from_csv.messages.height) == (4, 4)
    references = ["message_id", "parent_id", "quoted_id", "reposted_id", "kind"]
    assert from_csv.messages.select(references).sort("message_id").equals(
        from_json.messages.select(references).sort("message_id"))
    quoting = from_csv.messages.filter(pl.col("message_id") == "x:1169968866866466817")
    assert quoting["quoted_id"].to_list() == ["x:1169734611666198528"]


def test_reference_ids_a_spreadsheet_wrote_as_numbers_are_noted(tmp_path: Path) -> None:
    path = tmp_path / "tweets.csv"
    path.write_text("id,conversation_id,author_id,author.username,created_at,text,referenced_tweets.replied_to.id\n"
                    "1377650093109743620,1.37726669785026E+18,1,ana,2021-04-01T16:00:00.000Z,hola,1.37726669785026E+18\n")
    read = read_twarc_csv(path)
    assert read.messages.select("parent_id", "conversation_id").row(0) == (None, None)
    assert [note.split(" value(s)")[0] for note in read.notes] == [
        "1 conversation_id", "1 referenced_tweets.replied_to.id"]


def test_a_csv_that_names_no_tweet_its_replies_answer_says_so(tmp_path: Path) -> None:
    """A real CSV of tweets written by another script (its references in columns of its own)
    was read as twarc-csv and loaded its replies unlinked, silently (QA). The same tweets with
    twarc-csv's reference columns dropped: a note says how many replies are unlinked."""
    full = pl.read_csv(TWARC2 / "stream.csv", infer_schema=False)
    assert read_twarc_csv(TWARC2 / "stream.csv").notes == ()
    path = tmp_path / "other_tool.csv"
    full.drop(c for c in full.columns if c.startswith("referenced_tweets")).write_csv(path)
    read = read_twarc_csv(path)
    replies = full.filter(pl.col("in_reply_to_user_id").is_not_null()).height
    assert replies and read.messages["parent_id"].is_null().all()
    (note,) = read.notes
    assert note.startswith(f"{replies} tweet(s) reply to an account (in_reply_to_user_id), but the file names no tweet")


def test_a_table_of_tweepys_v2_tweets_saved_by_pandas_is_read(tmp_path: Path):
    """pandas writes tweepy's created_at as '2021-09-10 11:31:48+00:00' (a space, an offset):
    every row was quarantined as an invalid time, though it carries its zone (QA)."""
    path = tmp_path / "tweets.csv"
    path.write_text(",id,author_id,created_at,text,conversation_id,in_reply_to_user_id\n"
                    "0,1436291310357401607,1289143207482331138,2021-09-10 11:31:48+00:00,where is my order?,"
                    "1436291310357401607,\n"
                    "1,1436291371900440576,42,2021-09-10 13:32:02+02:00,@asim sorry! DM us,1436291310357401607,"
                    "1289143207482331138\n")
    read = read_twarc_csv(path)
    assert read.quarantine.is_empty()
    assert [str(t) for t in read.messages["created_at"]] == ["2021-09-10 11:31:48+00:00", "2021-09-10 11:32:02+00:00"]


@pytest.mark.parametrize(("content", "names"), [
    ('{"id": 1, "conversation_id": "1", "created_at": "2020-12-13 18:56:21 CET", "timezone": "+0100", '
     '"user_id": 2, "username": "ana", "tweet": "hola"}\n', "twint"),
    ("date,username,to,replies,retweets,favorites,text,geo,mentions,hashtags,id,permalink\n"
     "2020-03-11 23:11:44,ana,,0,0,0,hola,,,,1237,https://twitter.com/ana/status/1237\n", "GetOldTweets"),
    ('"Tweet id","Tweet permalink","Tweet text","time","impressions"\n"9001","https://x.com/a/status/9001","hi",'
     '"2020-01-01 10:00 +0000","3"\n', "Tweet activity"),
])
def test_other_tools_files_are_rejected_naming_the_tool(tmp_path: Path, content: str, names: str):
    # QA: "JSON that matches no known archive format", "not a twcs, twarc-csv or TAGS CSV"
    path = tmp_path / "export.txt"
    path.write_text(content)
    with pytest.raises(ArchiveError, match=f"unknown format: .*{names}"):
        detect_format(path)
