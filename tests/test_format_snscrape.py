"""The snscrape reader on real snscrape output (tests/fixtures/snscrape/SOURCE.md) of two
generations, and on hand-written records of the newest one and of the items a scrape writes
besides tweets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines import ingest
from pipelines.formats import detect_format, read_archive
from pipelines.formats.snscrape import read_snscrape
from pipelines.settings import load_settings
from support import FIXTURES

SNSCRAPE = FIXTURES / "snscrape"
OLD, WITH_TYPES = SNSCRAPE / "bitcoin_search.jsonl", SNSCRAPE / "ifmg_search.jsonl"


def _tweets(path: Path) -> list[dict]:
    """The file's tweets, each followed by the tweets it carries whole (retweeted or quoted)."""
    tweets = []
    for tweet in map(json.loads, path.read_text(encoding="utf-8").splitlines()):
        carried = [tweet.get(key) for key in ("retweetedTweet", "quotedTweet")]
        tweets += [tweet, *(t for t in carried if isinstance(t, dict) and "content" in t)]
    return tweets


def test_both_generations_are_detected_from_content() -> None:
    assert '"_type"' not in OLD.read_text(encoding="utf-8")  # snscrape before 0.4 names no type
    assert detect_format(OLD) == "snscrape"
    assert detect_format(WITH_TYPES) == "snscrape"


@pytest.mark.parametrize("path", [OLD, WITH_TYPES], ids=["before 0.4", "0.4"])
def test_every_tweet_loads_with_its_author_time_and_mentions(path: Path) -> None:
    """Expected values read from the file with the json module, field by field as snscrape
    names them."""
    tweets = _tweets(path)
    read = read_snscrape(path)
    assert (read.records_read, read.messages.height, read.quarantine.height) == (len(tweets), len(tweets), 0)
    got = {r["native_id"]: r for r in read.messages.to_dicts()}
    for tweet in tweets:
        row = got[str(tweet["id"])]
        user = tweet["user"]
        assert (row["author_id"], row["author_handle"], row["author_followers"]) == (
            str(user["id"]), user["username"], user["followersCount"])
        assert row["created_at"].isoformat() == tweet["date"]
        assert row["conversation_id"] == f"x:{tweet['conversationId']}"
        mentioned = tweet.get("mentionedUsers") or []
        handles_then_ids = [m["username"].lower() for m in mentioned] + [str(m["id"]) for m in mentioned]
        assert row["mentions"] == list(dict.fromkeys(handles_then_ids))  # each once
        assert row["text"] == tweet["content"].replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
        assert row["url"] == f"https://x.com/{user['username']}/status/{tweet['id']}"


def test_replies_and_quotes_keep_their_links() -> None:
    """Read off ifmg_search.jsonl by hand: strawseok asks "gente o ifmg é muito puxado?"
    (1444297204747972610) and jessieniina (183 followers) answers it; celestmount's reply
    answers a tweet the file does not hold; marco57thulio quotes thiamparo's tweet, carried whole."""
    rows = {r["native_id"]: r for r in read_snscrape(WITH_TYPES).messages.to_dicts()}
    answer = rows["1444315725829742597"]
    assert (answer["parent_id"], answer["in_reply_to_author_id"], answer["author_followers"]) == (
        "x:1444297204747972610", "1217099136291561472", 183)
    assert rows["1444297204747972610"]["text"] == "gente o ifmg é muito puxado?"
    assert rows["1433034866745036803"]["parent_id"] == "x:1433034607142842371"
    quote = rows["1453861790811574274"]
    assert (quote["kind"], quote["quoted_id"]) == ("post", "x:1453859440978010115")
    assert rows["1453859440978010115"]["author_handle"] == "thiamparo"  # the quoted tweet is a message too


def _user(name: str, user_id: int, followers: int | None = None) -> dict:
    return {"_type": "snscrape.modules.twitter.User", "username": name, "id": user_id, "displayname": name,
            "followersCount": followers}


def _tweet(tweet_id: int, user: dict, text: str, **fields) -> dict:
    """A tweet as snscrape 0.6 (2023) writes it: rawContent, and content for older readers."""
    return {"_type": "snscrape.modules.twitter.Tweet", "url": f"https://twitter.com/{user['username']}/status/{tweet_id}",
            "date": "2023-02-01T09:00:00+00:00", "rawContent": text, "renderedContent": text, "id": tweet_id,
            "user": user, "replyCount": 0, "retweetCount": 0, "likeCount": 0, "quoteCount": 0,
            "conversationId": tweet_id, "lang": "es", "retweetedTweet": None, "quotedTweet": None,
            "inReplyToTweetId": None, "inReplyToUser": None, "mentionedUsers": None, "viewCount": 40,
            "content": text, "_snscrape": "0.6.2.20230320"} | fields


ANA, ACME = _user("ana_g", 11, 87), _user("AcmeAyuda", 22, 50000)
OPENING = _tweet(1620000000000000001, ANA, "@AcmeAyuda mi pedido no llega &amp; nadie responde",
                 mentionedUsers=[_user("AcmeAyuda", 22)])
REPLY = _tweet(1620000000000000002, ACME, "@ana_g Lo sentimos, escríbenos por DM", date="2023-02-01T09:12:30+00:00",
               conversationId=1620000000000000001, inReplyToTweetId=1620000000000000001,
               inReplyToUser=_user("ana_g", 11), mentionedUsers=[_user("ana_g", 11)])


def test_the_newest_generation_and_the_items_that_are_not_tweets(tmp_path: Path) -> None:
    retweet = _tweet(1620000000000000003, _user("luis", 33, 5), "RT @ana_g: @AcmeAyuda mi pedido no llega",
                     retweetedTweet=OPENING)
    quote = _tweet(1620000000000000004, _user("luis", 33, 5), "Esto pasa mucho",
                   quotedTweet={"_type": "snscrape.modules.twitter.TweetRef", "id": 1610000000000000000})
    lines = [
        json.dumps(_user("AcmeAyuda", 22, 50000)),  # the entity line of --with-entity
        json.dumps(REPLY),
        json.dumps(retweet),  # carries OPENING whole: read after it
        json.dumps(quote),
        json.dumps({"_type": "snscrape.modules.twitter.Tombstone", "id": 1600000000000000000, "text": "This Tweet is unavailable."}),
        '{"_type": "snscrape.modules.twitter.Tweet", "id": 16200000',  # cut
        json.dumps(_tweet(1620000000000000005, ANA, "sin fecha", date="ayer")),
        json.dumps({k: v for k, v in _tweet(1620000000000000006, ANA, "sin autor").items() if k != "user"}),
        # followers no account has (the Int64 column cannot hold it): unknown, not a failed file
        json.dumps(_tweet(1620000000000000010, _user("big", 44, 2**63), "hola")),
        json.dumps(_tweet(1620000000000000011, ANA, "fecha en milisegundos", date=1675242000000)),
    ]
    path = tmp_path / "scrape.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert detect_format(path) == "snscrape"  # the first line is a user, not a tweet
    read = read_snscrape(path)
    assert read.notes == (
        "1 snscrape.modules.twitter.Tombstone item(s) skipped: no tweet in them",
        "1 snscrape.modules.twitter.User item(s) skipped: no tweet in them",
    )
    assert (read.records_read, read.messages.height) == (9, 5)
    assert read.quarantine.select("position", "reason").rows() == [
        (4, "not valid JSON (line 6)"), (5, "invalid date: ayer"), (6, "missing required field: user"),
        (8, "invalid date: 1675242000000"),
    ]
    assert read.messages.filter(read.messages["native_id"] == "1620000000000000010")["author_followers"].to_list() == [
        None]
    assert all(read.quarantine["excerpt"].is_not_null())
    rows = {r["native_id"]: r for r in read.messages.to_dicts()}
    reply = rows["1620000000000000002"]
    assert (reply["parent_id"], reply["in_reply_to_author_id"], reply["conversation_id"]) == (
        "x:1620000000000000001", "11", "x:1620000000000000001")
    assert (reply["author_handle"], reply["author_followers"], str(reply["created_at"])) == (
        "AcmeAyuda", 50000, "2023-02-01 09:12:30+00:00")
    assert (rows["1620000000000000003"]["kind"], rows["1620000000000000003"]["reposted_id"]) == (
        "repost", "x:1620000000000000001")
    opening = rows["1620000000000000001"]
    assert (opening["kind"], opening["text"], opening["mentions"]) == (
        "post", "@AcmeAyuda mi pedido no llega & nadie responde", ["acmeayuda", "22"])
    assert rows["1620000000000000004"]["quoted_id"] == "x:1610000000000000000"  # a TweetRef names the id only


def test_a_json_array_reads_as_lines_do_and_ids_for_buggy_parsers_are_exact(tmp_path: Path) -> None:
    """tweet.json() objects saved as one JSON array; ``--jsonl-for-buggy-int-parser`` (for
    parsers that lose integers above 2**53) adds ``id.str``, which wins over a number already
    rounded."""
    rounded = _tweet(1620000000000000000, ANA, "hola") | {"id.str": "1620000000000000007"}
    path = tmp_path / "tweets.json"
    path.write_text(json.dumps([OPENING, REPLY, rounded], indent=2), encoding="utf-8")
    assert detect_format(path) == "snscrape"
    read = read_archive(path, "snscrape")
    assert read.messages["native_id"].to_list() == ["1620000000000000001", "1620000000000000002", "1620000000000000007"]


def test_ingest_detects_snscrape_and_counts_every_record(tmp_path: Path) -> None:
    settings = load_settings({"BRANDCARE_HOME": str(tmp_path)})
    records = ingest.ingest([str(OLD), str(WITH_TYPES)], settings)
    assert [(r.format, r.status, r.records_read, r.records_loaded, r.records_quarantined) for r in records] == [
        ("snscrape", "loaded", 10, 10, 0),
        ("snscrape", "loaded", 7, 7, 0),
    ]
    assert ingest.reconcile(settings).is_empty()


def test_twscrape_objects_read_alike(tmp_path: Path) -> None:
    """twscrape (vladkens/twscrape, models.py) writes snscrape's objects with string twins of
    the ids and its dates as Python's str() of a datetime: a space, not a T."""
    user = _user("ana_g", 11, 87) | {"id_str": "11"}
    tweet = _tweet(1620000000000000009, user, "@AcmeAyuda hola", date="2023-02-01 09:00:00+00:00",
                   id_str="1620000000000000009", conversationIdStr="1620000000000000009")
    path = tmp_path / "twscrape.jsonl"
    path.write_text(json.dumps(tweet) + "\n", encoding="utf-8")
    read = read_archive(path, detect_format(path))
    assert read.quarantine.is_empty()
    assert str(read.messages["created_at"][0]) == "2023-02-01 09:00:00+00:00"


def test_a_garbled_text_is_repaired_once_and_noted(tmp_path: Path) -> None:
    """A reader that parses in frames repairs its texts once for the whole file, and says so."""
    path = tmp_path / "garbled.jsonl"
    path.write_text(json.dumps(_tweet(1620000000000000012, ANA, "Weâ€™re sorry ðŸ‘†")) + "\n", encoding="utf-8")
    read = read_snscrape(path)
    assert read.messages["text"].to_list() == ["We’re sorry 👆"]
    assert read.notes == ("1 text(s) repaired: UTF-8 that had been read as Windows-1252 (mojibake)",)
