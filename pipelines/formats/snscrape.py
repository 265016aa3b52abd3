"""Tweets written by snscrape (``snscrape --jsonl twitter-search …``, ``twitter-user``,
``twitter-tweet``; or ``tweet.json()`` saved by a script): it needed no API key, and many
tweet collections of 2020 to 2023 were gathered with it.

Shapes: JSON lines, one object per line (the usual one), or a JSON array of them. Each object
names its class in ``_type``: ``snscrape.modules.twitter.Tweet`` is a message; the other
items a scrape can write (the ``User`` entity of ``--with-entity``, ``Tombstone`` and
``TweetRef`` placeholders of tweets Twitter would not show) hold no message: counted in the
file's notes, not records. A line that is not JSON is one quarantined record.

A tweet carries its author (``user``: ``username``, ``id``, ``followersCount``), its thread
(``conversationId``, ``inReplyToTweetId``, ``inReplyToUser``), ``mentionedUsers`` and, whole,
the tweets it retweets or quotes (``retweetedTweet``, ``quotedTweet``): those are messages
too, read after it, as X API v1.1's embedded tweets are. Field names of both generations are
read: ``content`` (releases before 0.5, 2023) and ``rawContent`` (0.5 and its development
builds from June 2022; files of that time hold both). The text is X's raw text (``&amp;`` as
X escapes it, links as t.co), read as the API readers read it. An id above 2**53 that
``--jsonl-for-buggy-int-parser`` (0.7) also writes as ``id.str`` is read from it. twscrape
writes the same objects (and the same ``_type``): read alike.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from pipelines.formats.base import ReadResult
from pipelines.formats.x_archive import follower_count, mentions_of, numeric_id, text_value, x_tweet
from pipelines.formats.x_v11 import is_tweet_date, read_items

#: the ``_type`` of a tweet; other ``snscrape.`` types are items without a message
TWEET_TYPE = "snscrape.modules.twitter.Tweet"


def read_snscrape(path: Path) -> ReadResult:
    """Read a file of snscrape tweets into canonical rows."""
    return read_items(path, _items, _tweet, "{n} {key} item(s) skipped: no tweet in them")


def _items(value: object, skipped: Counter[str]) -> Iterator[object]:
    """The tweets of one JSON value (a tweet, or an array of them), each followed by the tweets
    it carries whole; items of other snscrape types are counted in ``skipped``."""
    if isinstance(value, list):
        for element in value:
            yield from _items(element, skipped)
        return
    kind = value.get("_type") if isinstance(value, dict) else None
    if isinstance(kind, str) and kind != TWEET_TYPE and kind.startswith("snscrape."):
        skipped[kind] += 1
        return
    yield value
    if isinstance(value, dict):
        for key in ("retweetedTweet", "quotedTweet"):
            carried = value.get(key)
            if isinstance(carried, dict) and carried.get("_type", TWEET_TYPE) == TWEET_TYPE:
                yield from _items(carried, skipped)


def _id(obj: object, key: str = "id") -> str | None:
    """An id of an snscrape object: ``<key>.str`` when the file has it, else the number."""
    if not isinstance(obj, dict):
        return None
    return numeric_id(obj.get(f"{key}.str")) or numeric_id(obj.get(key))


def _text(tweet: dict) -> object:
    return tweet["rawContent"] if tweet.get("rawContent") is not None else tweet.get("content")


def _date(value: object) -> str | None:
    """The tweet's time as text :func:`finish` parses: snscrape writes ISO 8601 with the offset
    (``2023-02-01T09:00:00+00:00``), twscrape Python's ``str`` of it (a space for the ``T``)."""
    text = text_value(value)
    if text and len(text) > 19 and text[10] == " " and text[:4].isdigit():
        return f"{text[:10]}T{text[11:]}"
    return text


def _tweet(tweet: object, position: int) -> tuple[dict | None, str | None]:
    if not isinstance(tweet, dict):
        return None, "record is not a JSON object"
    tweet_id = _id(tweet)
    if tweet_id is None:
        raw = tweet.get("id")
        return None, "missing required field: id" if raw is None else f"invalid id: {str(raw)[:60]}"
    user = tweet.get("user")
    if not isinstance(user, dict):
        return None, "missing required field: user"
    author_id = _id(user)
    if author_id is None:
        return None, "missing required field: user.id"
    created = _date(tweet.get("date"))
    if created is None:
        return None, "missing required field: date"
    if not is_tweet_date(created):
        return None, f"invalid date: {created}"
    text = _text(tweet)
    if text is None:
        return None, "missing required field: rawContent"
    if not isinstance(text, str):
        return None, "rawContent is not a string"
    parent, quoted, reposted = _id(tweet, "inReplyToTweetId"), _id(tweet.get("quotedTweet")), _id(
        tweet.get("retweetedTweet"))
    author = {"id": author_id, "handle": text_value(user.get("username")),
              "followers": follower_count(user.get("followersCount"))}
    return x_tweet(
        tweet_id, author, repost=bool(reposted), conversation=_id(tweet, "conversationId"), parent=parent,
        quoted=quoted, reposted=reposted, in_reply_to=_id(tweet.get("inReplyToUser")),
        mentions=mentions_of(tweet, "mentionedUsers", "username", "id"), created_at=created, date_field="date",
        text=text, lang=text_value(tweet.get("lang")), position=position,
    ), None
