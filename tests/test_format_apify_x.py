"""The Apify X/Twitter reader (``apify_x``) on tests/fixtures/apify_x/ (README.md there), on the
other actors' field names and bad records, and one pipeline run over the fixture."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.formats import ArchiveError, detect_format, read_archive
from pipelines.formats.apify_x import read_apify_x
from support import FIXTURES, PipelineRun, run_brandcare

APIFY = FIXTURES / "apify_x"
DATASET = APIFY / "dataset.json"


def test_detected_from_content() -> None:
    assert detect_format(DATASET) == "apify_x"


def test_every_tweet_loads_with_its_author_thread_and_mentions() -> None:
    """Expected values read from the file with the json module, field by field as the actor
    names them; the tweets a retweet and a quote carry are read after them."""
    items = json.loads(DATASET.read_text(encoding="utf-8"))
    tweets = []
    for item in items[:3]:
        tweets += [item, *(item[key] for key in ("retweet", "quote") if isinstance(item.get(key), dict))]
    read = read_apify_x(DATASET)
    assert (read.records_read, read.messages.height, read.quarantine.height) == (5, 5, 0)
    assert read.notes == ("1 item(s) 'noResults' skipped: no tweet in them",)
    for row, tweet in zip(read.messages.to_dicts(), tweets, strict=True):
        author = tweet["author"]
        assert (row["native_id"], row["author_id"], row["author_handle"], row["author_followers"]) == (
            tweet["id"], author["id"], author["userName"], author["followers"])
        assert row["conversation_id"] == f"x:{tweet['conversationId']}"
        assert row["parent_id"] == (f"x:{tweet['inReplyToId']}" if tweet.get("inReplyToId") else None)
        mentioned = tweet["entities"]["user_mentions"]
        assert row["mentions"] == [m["screen_name"].lower() for m in mentioned] + [m["id_str"] for m in mentioned]
        assert row["text"] == tweet["fullText"].replace("&amp;", "&")
        assert row["created_at"].strftime("%a %b %d %H:%M:%S +0000 %Y") == tweet["createdAt"]
        assert (row["lang"], row["in_reply_to_author_id"], row["url"]) == (
            tweet["lang"], tweet.get("inReplyToUserId"), tweet["url"])
    kinds = [(r["kind"], r["reposted_id"], r["quoted_id"]) for r in read.messages.to_dicts()]
    assert kinds[1] == ("repost", "x:1968000000000000001", None)  # the retweet
    assert kinds[3] == ("post", None, "x:1968000000000000001")  # the quote


def _tweet(tweet_id: str, **fields) -> dict:
    return {"type": "tweet", "id": tweet_id, "url": f"https://x.com/ana_g/status/{tweet_id}",
            "twitterUrl": f"https://twitter.com/ana_g/status/{tweet_id}", "text": "hola",
            "createdAt": "Thu Sep 18 08:00:00 +0000 2025", "lang": "es", "isReply": False,
            "conversationId": tweet_id, "author": {"type": "user", "userName": "ana_g", "id": "1001", "followers": 87},
            "entities": {"user_mentions": []}} | fields


def test_other_actors_json_lines_and_bad_records(tmp_path: Path) -> None:
    """twitterapi.io's and kaitoeasyapi's tweets carry ``quoted_tweet`` and ``retweeted_tweet``
    and write no ``fullText``; an empty ``inReplyToId`` is no parent."""
    quoted = _tweet("1968000000000000010")
    lines = [
        json.dumps(_tweet("1968000000000000011", text="mira esto", inReplyToId="", quoted_tweet=quoted,
                          retweeted_tweet=None)),
        '{"type": "tweet", "id": "19680000',  # cut
        json.dumps({k: v for k, v in _tweet("1968000000000000012").items() if k != "author"}),
        json.dumps(_tweet("1968000000000000013", createdAt="ayer")),
        json.dumps({"type": "user", "userName": "ana_g", "id": "1001", "twitterUrl": "https://twitter.com/ana_g"}),
    ]
    path = tmp_path / "dataset.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert detect_format(path) == "apify_x"
    read = read_archive(path, "apify_x")
    assert (read.records_read, read.messages.height) == (5, 2)
    assert read.notes == ("1 item(s) 'user' skipped: no tweet in them",)
    assert read.quarantine.select("position", "reason").rows() == [
        (2, "not valid JSON (line 2)"), (3, "missing required field: author"), (4, "invalid createdAt: ayer"),
    ]
    assert all(read.quarantine["excerpt"].is_not_null())  # each with the record, to see what was wrong
    rows = {r["native_id"]: r for r in read.messages.to_dicts()}
    assert (rows["1968000000000000011"]["parent_id"], rows["1968000000000000011"]["quoted_id"]) == (
        None, "x:1968000000000000010")
    assert rows["1968000000000000010"]["text"] == "hola"  # the quoted tweet, read after it


def test_twitterapi_io_pages_a_long_first_post_and_a_bare_retweet(tmp_path: Path) -> None:
    """twitterapi.io's API pages hold the tweets under ``tweets`` (or ``data.tweets``); a first
    tweet longer than the 64 KB detection reads (a long post: its author comes after both texts)
    is still detected; a retweet whose original the actor did not carry is a repost."""
    pages = tmp_path / "pages.jsonl"
    pages.write_text(
        json.dumps({"tweets": [_tweet("1968000000000000020")], "has_next_page": True, "next_cursor": "c"}) + "\n"
        + json.dumps({"status": "success", "data": {"pin_tweet": None, "tweets": [_tweet("1968000000000000021")]}})
        + "\n", encoding="utf-8")
    read = read_archive(pages, detect_format(pages))
    assert read.messages["native_id"].to_list() == ["1968000000000000020", "1968000000000000021"]
    long_post = "😡" * 9000
    first = {"type": "tweet", "id": "1968000000000000022", "twitterUrl": "https://twitter.com/ana_g/status/1",
             "text": long_post, "fullText": long_post} | {k: v for k, v in _tweet("1968000000000000022").items()
                                                          if k not in ("text", "twitterUrl")}
    long_file = tmp_path / "long.json"
    long_file.write_text(json.dumps([first], ensure_ascii=False), encoding="utf-8")
    assert long_file.read_bytes().index(b'"userName"') > 65536 and detect_format(long_file) == "apify_x"
    bare = tmp_path / "retweet.json"
    bare.write_text(json.dumps([_tweet("1968000000000000023", isRetweet=True, text="RT @luis_p: hola")]))
    assert read_archive(bare, "apify_x").messages.select("kind", "reposted_id").rows() == [("repost", None)]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> PipelineRun:
    finished = run_brandcare(tmp_path_factory.mktemp("apify_x"), [DATASET], APIFY / "brands.yaml")
    assert finished.result.success
    return finished


@pytest.mark.e2e
def test_the_pipeline_measures_the_brand_reply(run: PipelineRun) -> None:
    # the complaint read twice (carried by the retweet and by the quote) is one message and one
    # case; the brand's reply 12.5 minutes later answers it
    cases = run.query("select opened_message_id, customer_handle, responded, first_response_min from care_cases")
    assert cases == [{"opened_message_id": "x:1968000000000000001", "customer_handle": "ana_g", "responded": True,
                      "first_response_min": 12.5}]


def test_the_older_apify_scraper_is_rejected_saying_what_it_is() -> None:
    # real (LangChain's example dataset, MIT): "JSON that matches no known archive format", and
    # the hint to give a --format, which no format reads (QA)
    with pytest.raises(ArchiveError, match=r"the older Apify Twitter scraper's records .* Tweet Scraper V2"):
        detect_format(APIFY / "old_twitter_scraper.json")
