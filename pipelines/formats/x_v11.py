"""X/Twitter API v1.1 tweet objects: what twarc 1.x, tweepy's ``_json``, the streaming API and
tweet hydrators wrote for fifteen years, and most research datasets of tweets still are.

Shapes: JSON lines of tweet objects (the usual one), a JSON array of them, or search API
pages: standard ``{"statuses": [...], "search_metadata": {...}}``, premium and enterprise
(30-day, full-archive) ``{"results": [...], "next": ..., "requestParameters": {...}}``, or
``statuses/lookup?map=true`` responses ``{"id": {"<id>": tweet or null}}``; one
document, or one page per line, or documents one after the other. A streaming file's delete
notices (``{"delete": {"status": {"id_str", "user_id_str"}, "timestamp_ms"}}``) are rows of
kind ``delete``; its other messages (:data:`CONTROL_KEYS`) hold no tweet: counted in the
file's notes, not records. In JSON lines a line that is not JSON is one quarantined record,
``not valid JSON (line N)``, and the other lines load.

A tweet object carries its author (``user``: ``id_str``, ``screen_name``,
``followers_count``); its fields are the personal archive's (``x_archive``), read by the same
mapping. The tweets it embeds (``retweeted_status``, ``quoted_status``) are messages too, as
X API v2's ``includes.tweets`` are. Read with the json module, line by line, and parsed into
frames :data:`CHUNK` records at a time: a file is held whole only when it is not JSON lines.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from pipelines.formats.base import ArchiveError, ReadResult, is_json_lines, result
from pipelines.formats.x_archive import (
    V11_CREATED_AT,
    V11_DATE_SHAPE,
    excerpt,
    finish,
    follower_count,
    numeric_id,
    text_value,
    tweet_problem,
    tweet_record,
    v11_id,
)

_V11_SHAPE = re.compile(V11_DATE_SHAPE)

#: top-level keys of the streaming APIs' messages that hold no tweet (public, user and site
#: streams, compliance firehose); a site stream's ``for_user`` envelope is read for its message
CONTROL_KEYS = ("limit", "warning", "scrub_geo", "status_withheld", "user_withheld", "disconnect", "friends",
                "friends_str", "event", "control", "direct_message", "user_delete", "user_undelete", "user_protect",
                "user_unprotect", "user_suspend", "user_unsuspend", "user_update")

#: records parsed into one frame at a time: a file's memory follows this, not its size
CHUNK = 50_000


def read_x_v11(path: Path) -> ReadResult:
    """Read a file of X API v1.1 tweet objects into canonical rows."""
    return read_items(path, _tweets_in, _record, "{n} stream message(s) {key!r} skipped: no tweet in them")


def read_items(
    path: Path,
    items_of: Callable[[object, Counter[str]], Iterator[object]],
    record_of: Callable[[object, int], tuple[dict | None, str | None]],
    note: str,
) -> ReadResult:
    """Read the JSON values of ``path`` (:func:`json_values`): ``items_of(value, skipped)`` gives
    each value's records (and counts in ``skipped`` what holds none), ``record_of(item,
    position)`` maps one to a canonical record or gives why it cannot; parsed :data:`CHUNK`
    records a frame. ``note`` formats each skipped key and its count (``{key}``, ``{n}``) for
    the file's notes."""
    parts: list[tuple[pl.DataFrame, pl.DataFrame]] = []
    records: list[dict] = []
    bad: list[dict] = []
    position = 0
    skipped: Counter[str] = Counter()
    for raw, value in json_values(path):
        if value is NOT_JSON:
            bad.append({"position": position, "reason": raw[0], "excerpt": raw[1]})
            position += 1
            continue
        for item in items_of(value, skipped):
            record, reason = record_of(item, position)
            if reason:
                bad.append({"position": position, "reason": reason, "excerpt": excerpt(item)})
            else:
                records.append(record)
            position += 1
        if len(records) + len(bad) >= CHUNK:
            parts.append(finish(records, bad))
            records, bad = [], []
    parts.append(finish(records, bad))
    notes = tuple(note.format(key=key, n=n) for key, n in sorted(skipped.items()))
    return result(pl.concat([m for m, _ in parts]), pl.concat([q for _, q in parts]), notes)


def _record(item: object, position: int) -> tuple[dict | None, str | None]:
    """A tweet's record, or a stream's delete notice's."""
    if isinstance(item, dict) and isinstance(item.get("delete"), dict):
        return _delete(item["delete"], position)
    return _tweet(item, position)


NOT_JSON = object()


def json_values(path: Path) -> Iterator[tuple[tuple[str, str] | None, object]]:
    """Each JSON value of the file: the lines of JSON lines, else the documents one after the
    other (one, or several pretty-printed ones as ``jq`` writes them). A line that is not JSON
    gives ``NOT_JSON`` with (reason, excerpt)."""
    if is_json_lines(path):
        with path.open(encoding="utf-8-sig", errors="replace") as handle:
            for line_no, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    yield None, json.loads(line)
                except (ValueError, RecursionError):
                    yield (f"not valid JSON (line {line_no})", line.strip()), NOT_JSON
        return
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ArchiveError(f"not readable as JSON: {exc}") from exc
    decoder, at = json.JSONDecoder(), 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at == len(text):
            return
        try:
            document, at = decoder.raw_decode(text, at)
        except (ValueError, RecursionError) as exc:
            raise ArchiveError(f"not valid JSON: {exc}") from exc
        yield None, document


def _tweets_in(value: object, skipped: Counter[str]) -> Iterator[object]:
    """The tweet objects (and delete notices) of one JSON value, embedded tweets after their tweet."""
    if isinstance(value, list):
        for element in value:
            yield from _tweets_in(element, skipped)
        return
    if isinstance(value, dict) and set(value) == {"id"} and isinstance(value["id"], dict):
        # statuses/lookup?map=true: {"id": {"<id>": tweet, or null when not found or not visible}}
        for element in value["id"].values():
            if element is None:
                skipped["id (statuses/lookup, not found)"] += 1
            else:
                yield from _tweets_in(element, skipped)
        return
    page = next((key for key in ("statuses", "results") if isinstance(value, dict) and key in value), None)
    if page is not None and isinstance(value[page], list):
        for element in value[page]:
            yield from _tweets_in(element, skipped)
        return
    if isinstance(value, dict) and "id_str" not in value and "id" not in value:
        if "for_user" in value and isinstance(value.get("message"), dict):  # a site stream's envelope
            yield from _tweets_in(value["message"], skipped)
            return
        control = next((key for key in CONTROL_KEYS if key in value), None)
        if control is not None:
            skipped[control] += 1
            return
    yield value
    if isinstance(value, dict):
        for key in ("retweeted_status", "quoted_status"):
            if isinstance(value.get(key), dict):
                yield from _tweets_in(_Embedded(value[key]), skipped)


class _Embedded(dict):
    """A tweet carried inside another (its retweet's or its quote's ``retweeted_status``,
    ``quoted_status``), told apart so that a reason can say where it sits."""


#: X leaves ``user`` out of a tweet quoted inside a retweet (``retweeted_status.quoted_status``)
EMBEDDED_WITHOUT_USER = ("a tweet embedded in another (quoted inside a retweet) without its author: X leaves user "
                         "out at that depth, and the quoting tweet keeps its id (quoted_id)")


def _tweet(tweet: object, position: int) -> tuple[dict | None, str | None]:
    reason = tweet_problem(tweet)
    if reason:
        return None, reason
    user = tweet.get("user")
    if not isinstance(user, dict):
        return None, EMBEDDED_WITHOUT_USER if isinstance(tweet, _Embedded) else "missing required field: user"
    author_id = v11_id(user, "id")
    if author_id is None:
        return None, "missing required field: user.id_str"
    if not is_tweet_date(str(tweet["created_at"])):
        # checked here, not by finish(): a record is quarantined with its excerpt, which good
        # records do not keep (a file can be large)
        return None, f"invalid created_at: {tweet['created_at']}"
    author = {"id": author_id, "handle": text_value(user.get("screen_name")),
              "followers": follower_count(user.get("followers_count"))}
    return tweet_record(tweet, author, position, rt_text_is_repost=False), None


def is_tweet_date(text: str) -> bool:
    """A v1.1 ``created_at``, or an ISO 8601 time with its offset (as re-exports write it):
    the forms :func:`finish` parses. Readers check it on each record, so that a record with a
    bad date is quarantined with its excerpt (good records keep none)."""
    text = text.strip()
    try:
        if not _V11_SHAPE.fullmatch(text):
            raise ValueError(text)
        datetime.strptime(text[4:], V11_CREATED_AT)
    except ValueError:
        try:
            return datetime.fromisoformat(text).tzinfo is not None and "T" in text
        except ValueError:
            return False
    return True


def _delete(notice: dict, position: int) -> tuple[dict | None, str | None]:
    status = notice.get("status")
    tweet_id = v11_id(status, "id") if isinstance(status, dict) else None
    if tweet_id is None:
        return None, "missing required field: delete.status.id_str"
    millis = numeric_id(notice.get("timestamp_ms"))
    if millis is None:
        # older streams sent notices without it: when the tweet was deleted is unknown, and a
        # row needs a time (the notice stays in quarantine, with the tweet's id)
        return None, "missing required field: delete.timestamp_ms (when the tweet was deleted)"
    try:
        when = datetime.fromtimestamp(int(millis) / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None, f"invalid delete.timestamp_ms: {millis}"
    return {
        "message_id": f"x:{tweet_id}", "version_id": f"x:{tweet_id}@delete", "platform": "x",
        "native_id": tweet_id, "kind": "delete",
        "author_id": v11_id(status, "user_id"), "mentions": [],
        # finish() parses created_at as v1.1 or ISO text
        "created_at": when.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z", "date_field": "delete.timestamp_ms",
        "deleted": True, "position": position,
    }, None
