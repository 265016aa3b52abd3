"""X/Twitter datasets exported from Apify's tweet scrapers: Tweet Scraper V2 (apidojo, the
most used) and the actors that write its fields (kaitoeasyapi's, which is twitterapi.io's,
whose API pages read too). Since the paid API tiers, this is how many analysts get a brand's
mentions.

Shapes: the dataset exported as JSON (one array, Apify's default) or JSON lines; twitterapi.io's
pages (``{"tweets": [...]}``, ``{"data": {"tweets": [...]}}``, ``{"replies": [...]}``). A tweet
(``"type": "tweet"``): ``id`` (a string), ``createdAt`` (``Thu Sep 18 04:57:01 +0000 2025``),
``fullText`` (or ``text``), ``author {id, userName, followers}`` (required), ``conversationId``,
``inReplyToId``, ``inReplyToUserId``, ``entities.user_mentions`` (v1.1's), ``lang``. The tweet a
retweet repeats and the one a quote quotes come whole (``retweet`` and ``quote``; ``retweeted_tweet``
and ``quoted_tweet`` in the other actors): messages too, read after the tweet, as X API v1.1's
embedded tweets are; a retweet is amplification, not a message. Items that are not tweets
(Apify's ``{"noResults": true}``, a user profile) hold no message: counted in the file's
notes, not records. A line that is not JSON is one quarantined record.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from pipelines.formats.base import ReadResult
from pipelines.formats.x_archive import follower_count, mentions_of, numeric_id, text_value, x_tweet
from pipelines.formats.x_v11 import is_tweet_date, read_items

#: keys of the tweet lists of twitterapi.io's API pages (at the top, or under ``data``)
PAGE_KEYS = ("tweets", "replies")
#: keys of the tweets a tweet carries whole: (repost, quote), Tweet Scraper V2's then the others'
CARRIED = (("retweet", "quote"), ("retweeted_tweet", "quoted_tweet"))


def read_apify_x(path: Path) -> ReadResult:
    """Read an Apify X/Twitter dataset into canonical rows."""
    return read_items(path, _items, _tweet, "{n} item(s) {key!r} skipped: no tweet in them")


def _items(value: object, skipped: Counter[str]) -> Iterator[object]:
    """The tweets of one JSON value (a tweet, or an array of them), each followed by the tweets
    it carries whole; items that are not tweets are counted in ``skipped`` by their type."""
    if isinstance(value, list):
        for element in value:
            yield from _items(element, skipped)
        return
    if isinstance(value, dict) and value.get("type", "tweet") != "tweet":
        skipped[str(value.get("type"))] += 1
        return
    if isinstance(value, dict) and "type" not in value and "id" not in value:
        # an API page of twitterapi.io ({"tweets": [...]}, {"data": {"tweets": [...]}}, a
        # webhook event) holds tweets; {"noResults": true} holds none
        page = value.get("data") if isinstance(value.get("data"), dict) else value
        listed = next((page[key] for key in PAGE_KEYS if isinstance(page.get(key), list)), None)
        if listed is not None:
            yield from _items(listed, skipped)
        else:
            skipped[next(iter(value), "empty")] += 1
        return
    yield value
    if isinstance(value, dict):
        for key in (*CARRIED[0], *CARRIED[1]):
            if isinstance(value.get(key), dict):
                yield from _items(value[key], skipped)


def _carried_id(tweet: dict, which: int) -> str | None:
    """The id of the tweet ``tweet`` reposts (``which`` 0) or quotes (1), whole or by ``quoteId``."""
    for keys in CARRIED:
        carried = tweet.get(keys[which])
        if isinstance(carried, dict) and numeric_id(carried.get("id")):
            return numeric_id(carried.get("id"))
    return numeric_id(tweet.get("quoteId")) if which == 1 else None


def _tweet(tweet: object, position: int) -> tuple[dict | None, str | None]:
    if not isinstance(tweet, dict):
        return None, "record is not a JSON object"
    tweet_id = numeric_id(tweet.get("id"))
    if tweet_id is None:
        raw = tweet.get("id")
        return None, "missing required field: id" if raw is None else f"invalid id: {str(raw)[:60]}"
    author = tweet.get("author")
    if not isinstance(author, dict):
        return None, "missing required field: author"
    author_id = numeric_id(author.get("id"))
    if author_id is None:
        return None, "missing required field: author.id"
    created = text_value(tweet.get("createdAt"))
    if created is None:
        return None, "missing required field: createdAt"
    if not is_tweet_date(created):
        return None, f"invalid createdAt: {created}"
    text = tweet["fullText"] if tweet.get("fullText") is not None else tweet.get("text")
    if text is None:
        return None, "missing required field: fullText"
    if not isinstance(text, str):
        return None, "fullText is not a string"
    parent, conversation = numeric_id(tweet.get("inReplyToId")), numeric_id(tweet.get("conversationId"))
    quoted, reposted = _carried_id(tweet, 1), _carried_id(tweet, 0)
    writer = {"id": author_id, "handle": text_value(author.get("userName")),
              "followers": follower_count(author.get("followers"))}
    return x_tweet(
        tweet_id, writer,
        # a retweet whose original the actor did not carry is still one (Tweet Scraper V2's isRetweet)
        repost=bool(reposted) or tweet.get("isRetweet") is True,
        conversation=conversation, parent=parent, quoted=quoted, reposted=reposted,
        in_reply_to=numeric_id(tweet.get("inReplyToUserId")),
        mentions=mentions_of(tweet.get("entities"), "user_mentions", "screen_name", "id_str"),
        created_at=created, date_field="createdAt", text=text, lang=text_value(tweet.get("lang")), position=position,
    ), None
