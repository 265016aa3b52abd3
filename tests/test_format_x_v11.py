"""The X API v1.1 reader (``x_v11``) on tests/fixtures/x_v11/ (README.md there), and one pipeline
run over it: a customer's tweet, the brand's reply, a retweet embedding the tweet, a streamed
tweet over 140 characters, its delete notice, a rate-limit notice, a cut line and a bad date."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from pipelines.formats import ArchiveError, detect_format, read_archive
from pipelines.formats.x_v11 import read_x_v11
from support import FIXTURES, PipelineRun, run_brandcare

V11 = FIXTURES / "x_v11"


def test_detected_from_content() -> None:
    assert detect_format(V11 / "stream.jsonl") == "x_v11"
    assert detect_format(V11 / "search_page.json") == "x_v11"
    # an X API v2 file stays v2
    assert detect_format(FIXTURES / "twarc2" / "stream.jsonl") == "x_v2"


def test_a_stream_file_loads_its_tweets_and_quarantines_its_bad_lines() -> None:
    read = read_x_v11(V11 / "stream.jsonl")
    # 8 records: 4 tweets, the tweet a retweet embeds, a delete notice, a cut line, a bad date;
    # the rate-limit notice is not a record, the notes count it
    assert (read.records_read, read.messages.height, read.quarantine.height) == (8, 6, 2)
    assert read.notes == ("1 stream message(s) 'limit' skipped: no tweet in them",)
    assert read.quarantine.select("position", "reason").rows() == [
        (6, "not valid JSON (line 7)"), (7, "invalid created_at: yesterday"),
    ]
    rows = {(r["version_id"], r["position"]): r for r in read.messages.to_dicts()}
    opening = rows["x:1234567890123", 0]
    assert (opening["author_id"], opening["author_handle"], opening["author_followers"]) == ("1001", "ana_garcia", 87)
    assert opening["text"] == "@AcmeHelp my order never arrived & nobody answers"  # X's entities unescaped
    assert opening["mentions"] == ["acmehelp", "2002"]
    assert str(opening["created_at"]) == "2020-03-02 09:15:00+00:00"
    reply = rows["x:1234567890999", 1]
    assert (reply["parent_id"], reply["in_reply_to_author_id"], reply["author_followers"]) == (
        "x:1234567890123", "1001", 120000)
    retweet = rows["x:1234567891000", 2]
    assert (retweet["kind"], retweet["reposted_id"]) == ("repost", "x:1234567890123")
    assert rows["x:1234567890123", 3]["kind"] == "post"  # the tweet it embeds, after it
    streamed = rows["x:1234567892000", 4]
    assert streamed["text"].endswith("says delivered. Fix it!")  # extended_tweet.full_text, not the cut text
    deleted = rows["x:1234567892000@delete", 5]
    assert (deleted["kind"], deleted["message_id"], deleted["author_id"], deleted["deleted"]) == (
        "delete", "x:1234567892000", "1001", True)
    assert str(deleted["created_at"]) == "2020-03-02 12:00:00+00:00"


def test_a_search_page_and_an_array_read_the_same(tmp_path: Path) -> None:
    page = read_archive(V11 / "search_page.json", "x_v11")
    statuses = json.loads((V11 / "search_page.json").read_text())["statuses"]
    array = tmp_path / "tweets.json"
    array.write_text(json.dumps(statuses, indent=1))
    assert detect_format(array) == "x_v11"
    assert page.messages.equals(read_x_v11(array).messages)
    assert page.messages["version_id"].to_list() == ["x:1234567890123", "x:1234567890999"]


def test_a_tweet_without_its_author_is_quarantined(tmp_path: Path) -> None:
    tweet = json.loads((V11 / "stream.jsonl").read_text().splitlines()[0])
    no_user = {k: v for k, v in tweet.items() if k != "user"}
    bad_user = {**tweet, "id_str": "77", "user": {"screen_name": "x"}}
    path = tmp_path / "tweets.jsonl"
    path.write_text("\n".join(json.dumps(t) for t in (tweet, no_user, bad_user)) + "\n")
    read = read_x_v11(path)
    assert read.messages.height == 1
    assert read.quarantine["reason"].to_list() == ["missing required field: user", "missing required field: user.id_str"]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> PipelineRun:
    home = tmp_path_factory.mktemp("x_v11")
    finished = run_brandcare(home, [V11 / "stream.jsonl", V11 / "search_page.json"], V11 / "brands.yaml")
    assert finished.result.success
    return finished


@pytest.mark.e2e
def test_the_pipeline_measures_a_v11_conversation(run: PipelineRun) -> None:
    cases = run.query(
        "select opened_message_id, customer_handle, author_followers, responded, first_response_min"
        " from care_cases order by opened_at"
    )
    # the same tweet read from two files and as an embedded tweet is one message and one case;
    # the brand's reply 25 minutes later answers it; the streamed complaint was not answered
    assert cases == [
        {"opened_message_id": "x:1234567890123", "customer_handle": "ana_garcia", "author_followers": 87,
         "responded": True, "first_response_min": 25.0},
        {"opened_message_id": "x:1234567892000", "customer_handle": "ana_garcia", "author_followers": 87,
         "responded": False, "first_response_min": None},
    ]
    deleted = run.query("select deleted from messages where message_id = 'x:1234567892000'")
    assert deleted == [{"deleted": True}]


# --- real data: @TwitterDev's developer support, premium search pages (twitterdev/SOURCE.md) ---

TWITTERDEV = V11 / "twitterdev"


def test_premium_search_pages_read_every_tweet_and_the_tweets_they_embed() -> None:
    # embedded: the retweeted_status and quoted_status objects of the files, a quote inside a
    # retweet included (counted with a walk of the JSON: 11 retweets, 5 quotes, 1 nested quote)
    for name, tweets, embedded in (("premium_search_from.json", 58, 17), ("premium_search_to.json", 100, 1)):
        path = TWITTERDEV / name
        assert detect_format(path) == "x_v11"
        read = read_x_v11(path)
        assert (read.records_read, read.quarantine.height) == (tweets + embedded, 0), name
        assert read.messages.filter(read.messages["author_followers"].is_null()).height == 0


@pytest.fixture(scope="module")
def twitterdev(tmp_path_factory: pytest.TempPathFactory) -> PipelineRun:
    home = tmp_path_factory.mktemp("twitterdev")
    files = [TWITTERDEV / "premium_search_from.json", TWITTERDEV / "premium_search_to.json"]
    finished = run_brandcare(home, files, TWITTERDEV / "brands.yaml")
    assert finished.result.success
    return finished


@pytest.mark.e2e
def test_twitterdev_first_responses_are_the_minutes_between_the_tweets(twitterdev: PipelineRun) -> None:
    # each developer's tweet and @TwitterDev's first reply to it, read off the two files'
    # created_at by hand: (17:36:48 -> 17:42:39), (19:02:30 -> 19:06:56), (19:04:58 -> 19:06:50),
    # (19:12:09 -> 19:39:06, before the second reply at 19:40:20), (22:58:27 -> 00:21:38 next day)
    expected = {"m_elensule": 5 + 51 / 60, "josephbona": 4 + 26 / 60, "leg_dev": 1 + 52 / 60,
                "Rgre1": 26 + 57 / 60, "mongeliliana": 83 + 11 / 60}
    cases = twitterdev.query(
        "select customer_handle, responded, first_response_min from care_cases where responded")
    assert {c["customer_handle"]: c["first_response_min"] for c in cases} == pytest.approx(expected)
    # the agents' sign-offs (^AP, ^KM) name them in agent_activity
    agents = twitterdev.query("select agent, replies from agent_activity where platform = 'x' order by agent")
    assert agents == [{"agent": "AP", "replies": 4}, {"agent": "KM", "replies": 2}]


def test_real_world_oddities_read(tmp_path: Path) -> None:
    tweet = json.loads((V11 / "stream.jsonl").read_text().splitlines()[0])
    lines = [
        # X cut long texts through an emoji: half a surrogate pair, escaped in the JSON
        json.dumps({**tweet, "id_str": "1", "text": "RT @x: broken \ud83d"}),
        # a re-export's ISO time
        json.dumps({**tweet, "id_str": "2", "created_at": "2020-03-02T09:15:00.000Z"}),
        # a reply that starts "RT @" (no retweeted_status): the author's words, a message
        json.dumps({**tweet, "id_str": "3", "text": "RT @AcmeHelp: still broken, see above"}),
        # compliance and site-stream messages
        json.dumps({"user_delete": {"id": 1001, "timestamp_ms": "1583150400000"}}),
        json.dumps({"for_user": 2002, "message": {**tweet, "id_str": "4"}}),
    ]
    path = tmp_path / "odd.jsonl"
    path.write_text("\n".join(lines) + "\n")
    read = read_x_v11(path)
    assert (read.records_read, read.quarantine.height) == (4, 0)
    rows = {r["version_id"]: r for r in read.messages.to_dicts()}
    assert rows["x:1"]["text"] == "RT @x: broken \ufffd"
    assert str(rows["x:2"]["created_at"]) == "2020-03-02 09:15:00+00:00"
    assert rows["x:3"]["kind"] == "post"
    assert "x:4" in rows
    assert read.notes == ("1 stream message(s) 'user_delete' skipped: no tweet in them",)
    # pretty-printed documents one after the other, as jq writes them
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(tweet, indent=2) + "\n" + json.dumps({**tweet, "id_str": "5"}, indent=2) + "\n")
    assert detect_format(pretty) == "x_v11"
    assert read_x_v11(pretty).messages["version_id"].to_list() == ["x:1234567890123", "x:5"]


def test_detection_tells_tweets_from_other_v11_objects(tmp_path: Path) -> None:
    tweet = json.loads((V11 / "stream.jsonl").read_text().splitlines()[0])
    # a tweet whose text names Bluesky's record type is still a tweet
    bsky = tmp_path / "bsky_word.jsonl"
    bsky.write_text(json.dumps({**tweet, "text": "moving to app.bsky.feed.post land"}) + "\n")
    assert detect_format(bsky) == "x_v11"
    # a file of user objects (each embeds its latest tweet) is not a file of tweets
    users = tmp_path / "users.json"
    users.write_text(json.dumps([{**tweet["user"], "created_at": "Tue Mar 21 20:50:14 +0000 2006",
                                  "status": tweet}], indent=1))
    with pytest.raises(ArchiveError, match=r"unknown format: X user objects \(users/lookup, followers, friends\)"):
        detect_format(users)  # said so, not "JSON that matches no known archive format" (QA: a real lookup)


def test_a_user_stream_that_opens_with_its_friends_line_is_read() -> None:
    # a real user stream (the twitter gem's fixture, MIT): it was rejected as an unknown format
    path = V11 / "sferik" / "track_streaming_user.json"
    assert detect_format(path) == "x_v11"
    read = read_x_v11(path)
    assert read.messages["message_id"].to_list() == ["x:55709764298092545"]
    assert read.messages["text"].to_list() == [
        "The problem with your code is that it's doing exactly what you told it to do."]
    # friends, direct message, event and warning lines hold no tweet: counted in the notes; the
    # delete notice of 2011 has no timestamp_ms (quarantined, as documented)
    assert sorted(read.notes) == [f"1 stream message(s) '{kind}' skipped: no tweet in them"
                                  for kind in ("direct_message", "event", "friends", "warning")]
    assert read.quarantine["reason"].to_list() == ["missing required field: delete.timestamp_ms (when the tweet was deleted)"]


def test_a_statuses_lookup_map_reads_every_tweet(tmp_path: Path) -> None:
    # a real statuses/lookup?map=true response (python-twitter's test data, Apache-2.0): its 100
    # tweets were one record, quarantined as "invalid id_str: {'668': {..."
    path = V11 / "python_twitter" / "statuses_lookup_map.json"
    assert detect_format(path) == "x_v11"
    read = read_x_v11(path)
    assert read.messages["message_id"].to_list() == ["x:668", "x:662", "x:660"]
    assert read.messages["author_handle"].to_list() == ["jack"] * 3
    assert read.messages["text"][0] == "sleep"
    # an id the lookup did not find maps to null: counted, not a record
    page = json.loads(path.read_text())
    page["id"]["20"] = None
    (tmp_path / "lookup.json").write_text(json.dumps(page))
    read = read_x_v11(tmp_path / "lookup.json")
    assert read.messages.height == 3 and read.quarantine.is_empty()
    assert read.notes == ("1 stream message(s) 'id (statuses/lookup, not found)' skipped: no tweet in them",)


def test_a_user_stream_whose_friends_line_is_longer_than_the_sniffed_head_is_read(tmp_path: Path) -> None:
    # the same real stream, its user following 8,000 accounts: a friends line of 150 KB, past
    # the 64 KiB detection reads, was an unknown format
    lines = (V11 / "sferik" / "track_streaming_user.json").read_text().splitlines(keepends=True)
    friends = json.dumps({"friends": [1_000_000_000_000_000_000 + n for n in range(8000)]}) + "\n"
    assert len(friends) > 65536
    path = tmp_path / "stream.json"
    path.write_text(friends + "".join(lines[1:]))
    assert detect_format(path) == "x_v11"
    assert read_x_v11(path).messages["message_id"].to_list() == ["x:55709764298092545"]


def test_a_quote_inside_a_retweet_without_its_author_says_where_it_sits() -> None:
    # a real 2015 search page (Social Feed Manager's test WARC, MIT): the quoted tweet of a
    # retweet comes without `user`; it read "missing required field: user", as if the file
    # were damaged, at a position no top-level record has (QA: 34 of 1,978 records of 13 pages)
    from pipelines.formats.x_v11 import EMBEDDED_WITHOUT_USER

    read = read_x_v11(V11 / "sfm" / "search_quote_in_retweet.json")
    assert read.records_read == 4 and read.messages.height == 3  # 2 statuses, the retweeted tweet, its quote
    assert read.quarantine.select("position", "reason").rows() == [(3, EMBEDDED_WITHOUT_USER)]
    assert '"id_str": "671441159563010049"' in read.quarantine["excerpt"][0]
    retweeted = read.messages.filter(pl.col("message_id") == "x:671559057740718080").row(0, named=True)
    assert retweeted["quoted_id"] == "x:671441159563010049"  # the quoting tweet keeps its id


def test_a_scrapers_v11_tweets_without_reply_fields_are_detected_and_keep_their_conversation(tmp_path: Path) -> None:
    """A scraper's JSON lines of v1.1 tweet objects (QA: a real Apify actor's file,
    carllippert/tibo-search tweets.jsonl) leave null fields out, so no tweet of the head named
    ``in_reply_to_status_id``, and open with an item of the scraper's own: the file was rejected
    as an unknown format. Its tweets carry ``conversation_id_str``: a reply whose parent the file
    lacks belongs to the thread the root of which it holds."""
    user = {"id_str": "34743251", "screen_name": "brand_help", "followers_count": 5000}
    customer = {"id_str": "1001", "screen_name": "ana", "followers_count": 12}
    lines = [
        {"url": "https://x.com/brand_help", "error": "Profile have no tweets or behind login or not available"},
        {"id": 0, "id_str": "1691428135512776704", "conversation_id_str": "1691428135512776704",
         "created_at": "Tue Aug 15 12:00:00 +0000 2023", "full_text": "Our app is back up", "user": user},
        {"id": 0, "id_str": "1691428171403427840", "conversation_id_str": "1691428135512776704",
         "created_at": "Tue Aug 15 12:05:00 +0000 2023", "full_text": "@brand_help still down here",
         "in_reply_to_status_id_str": "1691428150000000000", "user": customer},
    ]
    path = tmp_path / "tweets.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    assert detect_format(path) == "x_v11"
    read = read_x_v11(path)
    assert (read.records_read, read.messages.height, read.quarantine.height) == (3, 2, 1)
    assert read.quarantine["reason"].to_list() == ["missing required field: id_str"]
    rows = {r["message_id"]: r for r in read.messages.to_dicts()}
    reply = rows["x:1691428171403427840"]
    assert (reply["parent_id"], reply["conversation_id"]) == ("x:1691428150000000000", "x:1691428135512776704")
    # a file of users (each embedding its latest tweet) is still not a file of tweets
    users = tmp_path / "users.jsonl"
    users.write_text(json.dumps(customer | {"status": {"id_str": "5", "created_at": lines[1]["created_at"],
                                                       "text": "hi", "in_reply_to_status_id": None}}) + "\n")
    with pytest.raises(ArchiveError):
        detect_format(users)
