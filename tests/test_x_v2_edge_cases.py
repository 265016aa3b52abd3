"""X API v2 pages that trip pipelines: one real pipeline run, checked against docs/metrics.md.

Every fixture in ``tests/fixtures/x_v2/`` is a hand-written X API v2 search response page
(docs/formats.md#x-api-v2-x_v2), newest first, ids as strings. ``brands.yaml`` registers two invented
brands by handle only (``telvia``: @Telvia, telvia_ayuda; ``kubo``: kuboenergia); their numeric
X user ids (telvia 1400000000000000001, kubo 1400000000000000002) are known only from the
brands' own tweets in the archives. All of the files are ingested and run through ONE real
Dagster run with a real dbt build (module fixture ``run``). Each case lives in its own
conversation, with its own tweet ids (19010... for case 1, 19020... for case 2, ...) and its
own day, so that the day scorecards of a case see that case alone:

=====================================  ==========  ==========================================
file(s)                                day (UTC)   case
=====================================  ==========  ==========================================
dup_page_1.json, dup_page_2.json       2026-03-16  1. a customer complaint twice in page 1
                                                   (data and includes.tweets) and again in
                                                   page 2; the brand reply in page 1's data
                                                   and again in page 2's includes.tweets, where
                                                   includes.users lacks the brand (page 2 was
                                                   harvested with expansions=author_id only);
                                                   the customer's thanks in page 2
edit_page.json                         2026-03-17  2. an edited tweet A -> B; the brand
                                                   replies to version B
retweet_quote_page.json                2026-03-18  3. a retweet of a customer complaint, a
                                                   quote of a brand post (the brand post is
                                                   only in includes.tweets), and a retweet of
                                                   that brand post on 2026-03-26, the newest
                                                   record of all (not a message: it must not
                                                   move the data horizon)
missing_parent_page.json               2026-03-19  4. replies whose parents are missing (one
                                                   to the brand, one to another customer)
no_mention_reply_page.json             2026-03-20  5. a customer tweet naming no brand that
                                                   the brand answers
two_customers_page.json                2026-03-23  6. two customers under one brand post
                                                   (kubo); the brand answers one
tweetstorm_page.json                   2026-03-24  7. a customer's 3-tweet thread; the brand
                                                   answers the third
malformed_page.json                    2026-03-25  a tweet without created_at (quarantined)
                                                   next to a good brand post
=====================================  ==========  ==========================================

Times are in UTC and inside both brands' business hours. The data horizon (newest message)
is the good brand post of malformed_page.json, 2026-03-25T09:00:00Z: exactly 7 days after the
customer complaint of case 3 (final, bounds are inclusive) and less than 7 days after the
quote of case 3 (not final).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import polars as pl
import pytest

from support import FIXTURES, PipelineRun, run_brandcare, run_cli, run_in

pytestmark = pytest.mark.e2e

X_V2 = FIXTURES / "x_v2"

TELVIA_USER_ID = "1400000000000000001"


def utc(column: str) -> str:
    """SQL rendering a timestamp column as an ISO UTC string, whatever its exact type."""
    return f"strftime(timezone('UTC', {column}), '%Y-%m-%dT%H:%M:%SZ')"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> PipelineRun:
    sources = sorted(X_V2.glob("*.json"))
    assert len(sources) == 9, sources
    home: Path = tmp_path_factory.mktemp("x_v2_edge_cases")
    finished = run_brandcare(home, sources, X_V2 / "brands.yaml")
    assert finished.result.success, "the pipeline run over the X v2 edge-case fixtures failed"
    return finished


def rows(run: PipelineRun, sql: str, **params) -> list[dict]:
    return run.query(sql, params)


def one(run: PipelineRun, sql: str, **params) -> dict:
    found = rows(run, sql, **params)
    assert len(found) == 1, f"expected exactly one row, got {found}"
    return found[0]


def message(run: PipelineRun, message_id: str) -> dict:
    return one(
        run,
        f"""
        select message_id, conversation_id, parent_id, parent_missing, author_id, is_brand,
               author_brand_id, addressed_brand_ids, {utc('created_at')} as created_at, text,
               versions
        from messages where message_id = $id
        """,
        id=message_id,
    )


def cases_in(run: PipelineRun, conversation_id: str) -> list[dict]:
    return rows(
        run,
        f"""
        select case_id, brand_id, platform, conversation_id, customer_id, opened_message_id,
               {utc('opened_at')} as opened_at, intent, responded,
               {utc('first_response_at')} as first_response_at, first_response_min,
               deflected, resolved, off_hours, author_followers, is_final
        from care_cases where conversation_id = $conv
        order by opened_at, customer_id
        """,
        conv=conversation_id,
    )


def scorecard(
    run: PipelineRun, brand_id: str, period: str, start: str, platform: str = "all"
) -> dict:
    return one(
        run,
        """
        select * from brand_scorecards
        where brand_id = $brand and period = $period and platform = $platform
          and cast(period_start as date) = cast($start as date)
        """,
        brand=brand_id, period=period, platform=platform, start=start,
    )


def file_row(run: PipelineRun, name: str) -> dict:
    return one(run, "select * from archive_files where name = $name", name=name)


# --------------------------------------------------------------------------- files


def test_every_file_accounts_for_every_record(run: PipelineRun) -> None:
    files = rows(run, "select * from archive_files order by name")
    assert sorted(f["name"] for f in files) == sorted(p.name for p in X_V2.glob("*.json"))
    for f in files:
        assert f["status"] == "loaded", f
        assert f["format"] == "x_v2", f
        assert f["records_read"] == f["records_loaded"] + f["records_quarantined"], f
    # every tweet object counts as a record: data and includes.tweets, retweets too
    expected_read = {
        "dup_page_1.json": 3,
        "dup_page_2.json": 3,
        "edit_page.json": 3,
        "retweet_quote_page.json": 6,
        "missing_parent_page.json": 2,
        "no_mention_reply_page.json": 2,
        "two_customers_page.json": 4,
        "tweetstorm_page.json": 4,
        "malformed_page.json": 2,
    }
    assert {f["name"]: f["records_read"] for f in files} == expected_read
    assert {f["name"]: f["records_quarantined"] for f in files if f["records_quarantined"]} == {
        "malformed_page.json": 1
    }


def test_tweet_without_created_at_is_quarantined_with_its_reason(run: PipelineRun) -> None:
    quarantined = rows(
        run,
        """
        select q.position, q.reason, q.excerpt
        from quarantine as q join archive_files as f on f.sha256 = q.archive_sha256
        where f.name = 'malformed_page.json'
        """,
    )
    assert len(quarantined) == 1
    assert "created_at" in quarantined[0]["reason"]
    assert "1908000000000000802" in quarantined[0]["excerpt"]
    assert rows(run, "select 1 from messages where message_id = 'x:1908000000000000802'") == []
    # the good tweet of the same file is loaded
    assert message(run, "x:1908000000000000801")["is_brand"] is True
    assert file_row(run, "malformed_page.json")["records_loaded"] == 1


# --------------------------------------------------------------------------- 1. duplicates


def test_duplicates_across_and_within_pages_are_one_message_and_one_case(run: PipelineRun) -> None:
    # 6 records in the lake, 3 messages: the complaint (3 copies), the brand reply (2), the thanks
    assert file_row(run, "dup_page_1.json")["records_loaded"] == 3
    assert file_row(run, "dup_page_2.json")["records_loaded"] == 3
    assert one(
        run, "select count(*) as n from messages where conversation_id = 'x:1901000000000000101'"
    )["n"] == 3
    for copied in ("x:1901000000000000101", "x:1901000000000000102"):
        count = one(run, "select count(*) as n from messages where message_id = $id", id=copied)
        assert count["n"] == 1
    m = message(run, "x:1901000000000000101")
    assert m["versions"] == 1
    assert m["addressed_brand_ids"] == ["telvia"]
    assert m["created_at"] == "2026-03-16T10:00:00Z"

    cases = cases_in(run, "x:1901000000000000101")
    assert len(cases) == 1
    case = cases[0]
    assert case["brand_id"] == "telvia"
    assert case["customer_id"] == "1500000000000000011"
    assert case["opened_message_id"] == "x:1901000000000000101"
    assert case["opened_at"] == "2026-03-16T10:00:00Z"
    assert case["intent"] == "complaint"
    # newest file wins for the follower count (page 1 says 120, page 2 says 125)
    assert case["author_followers"] == 125

    day = scorecard(run, "telvia", "day", "2026-03-16")
    # mentions: the complaint and the thanks, each once (not 3 + 1 copies)
    assert (day["mentions"], day["cases"]) == (2, 1)


def test_duplicate_copy_lacking_its_author_user_is_still_a_brand_reply(run: PipelineRun) -> None:
    # the brand reply is in page 1's data (author telvia in includes.users) and in page 2's
    # includes.tweets only (page 2 was harvested with expansions=author_id, so its
    # includes.users has no telvia): it is one message, written by the brand account, whatever
    # copy the pipeline keeps, and it answers the case
    reply = message(run, "x:1901000000000000102")
    assert reply["author_id"] == TELVIA_USER_ID
    assert reply["parent_id"] == "x:1901000000000000101"
    assert reply["is_brand"] is True
    assert reply["author_brand_id"] == "telvia"
    assert reply["addressed_brand_ids"] == []

    (case,) = cases_in(run, "x:1901000000000000101")
    assert case["responded"] is True
    assert case["first_response_at"] == "2026-03-16T11:30:30Z"
    assert case["first_response_min"] == pytest.approx(90.5, abs=1e-9)
    # the customer thanks the brand after its reply
    assert case["resolved"] is True

    day = scorecard(run, "telvia", "day", "2026-03-16")
    assert (day["responded_cases"], day["brand_replies"], day["brand_posts"]) == (1, 1, 1)


# --------------------------------------------------------------------------- 2. edits


def test_edited_tweet_is_one_message_first_id_and_time_newest_text(run: PipelineRun) -> None:
    m = message(run, "x:1902000000000000201")
    assert m["created_at"] == "2026-03-17T10:00:00Z"
    assert m["text"] == "@telvia how do I change my plan to the 1Gb fibre?"
    assert m["versions"] == 2
    assert m["addressed_brand_ids"] == ["telvia"]
    # version B is not a message of its own
    assert rows(run, "select 1 from messages where message_id = 'x:1902000000000000202'") == []
    # the brand reply to version B replies to the message (first version's id)
    reply = message(run, "x:1902000000000000203")
    assert reply["is_brand"] is True and reply["author_brand_id"] == "telvia"
    assert reply["parent_id"] == "x:1902000000000000201"
    assert reply["parent_missing"] is False
    assert reply["conversation_id"] == m["conversation_id"]


def test_brand_reply_to_edited_version_answers_the_case(run: PipelineRun) -> None:
    cases = rows(
        run,
        f"""
        select conversation_id, customer_id, opened_message_id, {utc('opened_at')} as opened_at,
               intent, responded, {utc('first_response_at')} as first_response_at,
               first_response_min
        from care_cases where customer_id = '1500000000000000021'
        """,
    )
    assert len(cases) == 1, cases
    case = cases[0]
    assert case["conversation_id"] == "x:1902000000000000201"
    assert case["opened_message_id"] == "x:1902000000000000201"
    assert case["opened_at"] == "2026-03-17T10:00:00Z"
    assert case["intent"] == "question"
    assert case["responded"] is True
    assert case["first_response_at"] == "2026-03-17T10:30:00Z"
    assert case["first_response_min"] == pytest.approx(30.0, abs=1e-9)
    # two versions, one message: one mention, one case that day
    day = scorecard(run, "telvia", "day", "2026-03-17")
    assert (day["mentions"], day["cases"], day["responded_cases"]) == (1, 1, 1)


# --------------------------------------------------------------------------- 3. retweets, quotes


def test_retweets_are_not_messages_and_open_no_case(run: PipelineRun) -> None:
    for retweet in ("x:1903000000000000303", "x:1903000000000000305"):
        assert rows(run, "select 1 from messages where message_id = $id", id=retweet) == []
        assert rows(run, "select 1 from care_cases where opened_message_id = $id", id=retweet) == []
        assert rows(run, "select 1 from care_cases where conversation_id = $id", id=retweet) == []
    # the retweeters open no case at all
    assert rows(
        run,
        "select 1 from care_cases"
        " where customer_id in ('1500000000000000032', '1500000000000000034')",
    ) == []
    # the retweeted customer complaint is a message and a case of its own
    original = message(run, "x:1903000000000000302")
    assert original["addressed_brand_ids"] == ["telvia"]
    opened = [c["opened_message_id"] for c in cases_in(run, "x:1903000000000000302")]
    assert opened == ["x:1903000000000000302"]


def test_retweet_of_a_customer_mention_counts_as_amplification(run: PipelineRun) -> None:
    # only the retweet of the customer's complaint amplifies; the retweet of the brand's own
    # post does not (a brand message never addresses a brand)
    day = scorecard(run, "telvia", "day", "2026-03-18")
    assert day["amplification"] == 1
    month = scorecard(run, "telvia", "month", "2026-03-01")
    assert month["amplification"] == 1
    assert scorecard(run, "telvia", "month", "2026-03-01", platform="x")["amplification"] == 1
    # mentions that day: the complaint and the quote; the retweets are not mentions
    assert day["mentions"] == 2


def test_quote_of_brand_post_is_own_conversation_addressing_brand(run: PipelineRun) -> None:
    # the quoted brand post is only in includes.tweets, and still a message
    post = message(run, "x:1903000000000000301")
    assert post["is_brand"] is True and post["author_brand_id"] == "telvia"
    assert post["addressed_brand_ids"] == []

    quote = message(run, "x:1903000000000000304")
    assert quote["conversation_id"] == "x:1903000000000000304"
    assert quote["is_brand"] is False
    assert quote["addressed_brand_ids"] == ["telvia"]

    cases = cases_in(run, "x:1903000000000000304")
    assert len(cases) == 1
    case = cases[0]
    assert case["brand_id"] == "telvia"
    assert case["customer_id"] == "1500000000000000033"
    assert case["opened_message_id"] == "x:1903000000000000304"
    assert case["opened_at"] == "2026-03-18T10:00:00Z"
    assert case["intent"] == "complaint"
    assert case["responded"] is False
    assert case["author_followers"] == 2100
    # the brand post's own conversation holds no case
    assert cases_in(run, "x:1903000000000000301") == []


# --------------------------------------------------------------------------- 4. missing parents


def test_reply_to_missing_brand_tweet_addresses_brand_by_reply_user(run: PipelineRun) -> None:
    m = message(run, "x:1904000000000000401")
    assert m["parent_id"] == "x:1904000000000000399"
    assert m["parent_missing"] is True
    assert m["conversation_id"] == "x:1904000000000000398"
    assert m["addressed_brand_ids"] == ["telvia"]

    cases = cases_in(run, "x:1904000000000000398")
    assert len(cases) == 1
    case = cases[0]
    assert case["brand_id"] == "telvia"
    assert case["customer_id"] == "1500000000000000041"
    assert case["opened_message_id"] == "x:1904000000000000401"
    assert case["opened_at"] == "2026-03-19T10:00:00Z"
    assert case["intent"] == "complaint"
    assert case["responded"] is False
    assert case["author_followers"] == 560


def test_reply_to_missing_customer_tweet_addresses_no_brand(run: PipelineRun) -> None:
    m = message(run, "x:1904000000000000402")
    assert m["parent_id"] == "x:1904000000000000397"
    assert m["parent_missing"] is True
    assert m["conversation_id"] == "x:1904000000000000396"
    assert m["addressed_brand_ids"] == []
    assert cases_in(run, "x:1904000000000000396") == []
    day = scorecard(run, "telvia", "day", "2026-03-19")
    assert (day["mentions"], day["cases"]) == (1, 1)


# --------------------------------------------------------------------------- 5. no brand named


def test_brand_reply_to_tweet_naming_no_brand_is_case_not_mention(run: PipelineRun) -> None:
    m = message(run, "x:1905000000000000501")
    assert m["addressed_brand_ids"] == []

    cases = cases_in(run, "x:1905000000000000501")
    assert len(cases) == 1
    case = cases[0]
    assert case["brand_id"] == "telvia"
    assert case["customer_id"] == "1500000000000000051"
    assert case["opened_message_id"] == "x:1905000000000000501"
    assert case["opened_at"] == "2026-03-20T10:00:00Z"
    assert case["intent"] == "complaint"
    assert case["responded"] is True
    assert case["first_response_at"] == "2026-03-20T10:20:00Z"
    assert case["first_response_min"] == pytest.approx(20.0, abs=1e-9)

    day = scorecard(run, "telvia", "day", "2026-03-20")
    assert day["mentions"] == 0
    assert (day["cases"], day["actionable_cases"], day["responded_cases"]) == (1, 1, 1)
    assert day["brand_replies"] == 1


# --------------------------------------------------------------------------- 6. two customers


def test_two_customers_under_one_brand_post_are_two_cases(run: PipelineRun) -> None:
    cases = cases_in(run, "x:1906000000000000600")
    assert [(c["brand_id"], c["customer_id"], c["opened_message_id"]) for c in cases] == [
        ("kubo", "1500000000000000061", "x:1906000000000000601"),
        ("kubo", "1500000000000000062", "x:1906000000000000602"),
    ]
    lucia, diego = cases
    assert lucia["opened_at"] == "2026-03-23T15:20:00Z"
    assert lucia["intent"] == "complaint"
    assert lucia["responded"] is True
    assert lucia["first_response_at"] == "2026-03-23T16:10:00Z"
    assert lucia["first_response_min"] == pytest.approx(50.0, abs=1e-9)

    assert diego["opened_at"] == "2026-03-23T15:40:00Z"
    assert diego["intent"] == "question"
    assert diego["responded"] is False
    assert diego["first_response_at"] is None
    assert diego["first_response_min"] is None

    unanswered = rows(
        run,
        "select opened_message_id from unanswered_cases"
        " where conversation_id = 'x:1906000000000000600'",
    )
    assert unanswered == [{"opened_message_id": "x:1906000000000000602"}]

    # the brand post itself opens no case and addresses nothing
    post = message(run, "x:1906000000000000600")
    assert post["is_brand"] is True and post["author_brand_id"] == "kubo"
    assert lucia["off_hours"] is False and diego["off_hours"] is False
    day = scorecard(run, "kubo", "day", "2026-03-23")
    counts = ("cases", "actionable_cases", "responded_cases", "ignored_cases")
    assert tuple(day[k] for k in counts) == (2, 2, 1, 1)
    assert (day["mentions"], day["brand_replies"], day["brand_posts"]) == (2, 1, 2)
    assert day["response_rate"] == pytest.approx(0.5)


# --------------------------------------------------------------------------- 7. tweetstorm


def test_tweetstorm_is_one_case_opened_at_the_first_tweet(run: PipelineRun) -> None:
    for tweet in ("x:1907000000000000701", "x:1907000000000000702", "x:1907000000000000703"):
        m = message(run, tweet)
        assert m["conversation_id"] == "x:1907000000000000701"
        assert m["author_id"] == "1500000000000000071"
        assert m["parent_missing"] is False
    assert message(run, "x:1907000000000000701")["addressed_brand_ids"] == ["telvia"]

    cases = cases_in(run, "x:1907000000000000701")
    assert len(cases) == 1
    case = cases[0]
    assert case["brand_id"] == "telvia"
    assert case["customer_id"] == "1500000000000000071"
    assert case["opened_message_id"] == "x:1907000000000000701"
    assert case["opened_at"] == "2026-03-24T10:00:00Z"
    assert case["intent"] == "complaint"
    assert case["responded"] is True
    assert case["first_response_at"] == "2026-03-24T10:47:15Z"
    # exact minutes from the FIRST tweet, not from the third (42.25) and not rounded
    assert case["first_response_min"] == pytest.approx(47.25, abs=1e-9)

    day = scorecard(run, "telvia", "day", "2026-03-24")
    assert (day["cases"], day["responded_cases"], day["brand_replies"]) == (1, 1, 1)
    assert day["median_first_response_min"] == pytest.approx(47.25, abs=1e-9)


# --------------------------------------------------------------------------- horizon


def test_data_horizon_is_the_newest_message_not_a_retweet(run: PipelineRun) -> None:
    # the retweet of 2026-03-26 is not a message, and the quarantined tweet has no time:
    # the horizon is the brand post of 2026-03-25T09:00:00Z
    horizon = one(run, f"select {utc('max(created_at)')} as h from messages")["h"]
    assert horizon == "2026-03-25T09:00:00Z"
    complaint = cases_in(run, "x:1903000000000000302")[0]
    quote = cases_in(run, "x:1903000000000000304")[0]
    # opened_at + 7 days == horizon exactly: final (inclusive bound)
    assert complaint["opened_at"] == "2026-03-18T09:00:00Z"
    assert complaint["is_final"] is True
    # opened_at + 7 days is one hour after the horizon: not final
    assert quote["is_final"] is False
    assert cases_in(run, "x:1907000000000000701")[0]["is_final"] is False
    assert cases_in(run, "x:1901000000000000101")[0]["is_final"] is True


@pytest.mark.e2e
def test_academictwitter_pages_saved_in_two_files_are_read_together(tmp_path):
    """academictwitteR saves a page's data and its includes apart (data_<id>.json, users_<id>.json)
    and the search as `query`: the includes were rejected as an unknown format, so every author
    had no handle (a brand's replies were customers' messages) and the parents were lost (QA:
    real pages, 0 cases for two brands that answered 290 and 277). The includes' users are
    profiles (handle, followers), their tweets messages; `query` is skipped."""
    brands = tmp_path / "brands.yaml"
    brands.write_text("brands:\n  - id: hauhk\n    name: Hau HK\n    timezone: Asia/Hong_Kong\n"
                      "    accounts:\n      x: [hau_hk]\n")
    home, pages = tmp_path / "home", tmp_path / "hk3"
    shutil.copytree(FIXTURES / "academictwitter", pages, ignore=shutil.ignore_patterns("SOURCE.md"))
    proc = run_cli(home, "ingest", str(pages))
    assert "skipped 1 file(s), academictwitteR's record of the search it ran (query), not messages: query" in proc.stdout
    assert re.search(r"users_1405589018948026377\.json\s+x_v2\s+read\s+3\s+loaded\s+3", proc.stdout)
    run_in(home, brands)
    (case,) = pl.read_parquet(home / "published" / "current" / "care_cases.parquet").to_dicts()
    assert (case["brand_id"], case["customer_handle"], case["opened_message_id"]) == (
        "hauhk", "PostWorld", "x:1405332948463796227")
    assert case["first_response_min"] == pytest.approx(1056 + 38 / 60)


def test_a_page_whose_data_is_not_tweets_is_a_quarantined_record(tmp_path):
    """QA (adversarial lines): {"data": "notalist"} was no record at all, neither loaded nor
    quarantined; the lines around it kept their counts."""
    from pipelines.formats.x_v2 import read_x_v2

    tweet = {"id": "3600000000000000001", "text": "hi @telvia", "author_id": "42",
             "created_at": "2026-10-20T10:00:00.000Z"}
    path = tmp_path / "pages.jsonl"
    path.write_text("\n".join(json.dumps(page) for page in (
        {"data": [tweet]}, {"data": "notalist"}, {"data": 7}, {"data": None}, {"meta": {"result_count": 0}})) + "\n")
    read = read_x_v2(path)
    assert read.records_read == 3 and read.messages.height == 1
    assert read.quarantine.select("position", "reason").rows() == [
        (1, "record is not a JSON object"), (2, "record is not a JSON object")]


def test_each_tweet_has_the_follower_count_of_its_own_page(tmp_path):
    """QA: the users of every page of a file were one value per file, whichever page came last:
    a search's pages, written newest first, gave March's tweets January's follower count (999
    published as 111), and a page without public_metrics erased a known count (700 as NULL)."""
    from pipelines.formats.x_v2 import read_x_v2

    def tweet(tweet_id, author, created_at):
        return {"id": tweet_id, "author_id": author, "created_at": created_at, "text": "@AcmeHelp why so late?"}

    def user(user_id, handle, followers=None):
        return {"id": user_id, "username": handle,
                **({"public_metrics": {"followers_count": followers}} if followers is not None else {})}

    march = {"data": [tweet("4001", "401", "2024-03-05T10:00:00.000Z"), tweet("4002", "402", "2024-03-05T11:00:00.000Z")],
             "includes": {"users": [user("401", "d1", 999), user("402", "d2", 700)]}, "meta": {"result_count": 2}}
    january = {"data": [tweet("4003", "401", "2024-01-05T10:00:00.000Z"), tweet("4004", "402", "2024-01-06T10:00:00.000Z")],
               "includes": {"users": [user("401", "d1", 111), user("402", "d2")]}, "meta": {"result_count": 2}}
    # a page fetched without the user expansion gives no count (the author's profile takes the
    # newest count any row gives: int_author_profiles)
    bare = {"data": [tweet("4005", "401", "2024-01-04T10:00:00.000Z")], "meta": {"result_count": 1}}
    path = tmp_path / "search_newest_first.jsonl"
    path.write_text("".join(json.dumps(page) + "\n" for page in (march, january, bare)))
    read = read_x_v2(path)
    followers = dict(zip(read.messages["message_id"], read.messages["author_followers"], strict=True))
    assert followers == {"x:4001": 999, "x:4002": 700, "x:4003": 111, "x:4004": None, "x:4005": None}
    handles = dict(zip(read.messages["message_id"], read.messages["author_handle"], strict=True))
    assert handles == {"x:4001": "d1", "x:4002": "d2", "x:4003": "d1", "x:4004": "d2", "x:4005": None}
