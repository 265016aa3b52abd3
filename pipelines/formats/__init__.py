"""Archive formats: detection from content, and one reader per format.

Each reader is a plain function ``Path -> ReadResult`` mapping a file into the canonical
message schema (``pipelines.canonical``); records it cannot read go to quarantine with a
reason, and a file it cannot read at all raises ``ArchiveError``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from pipelines.formats.apify_x import read_apify_x
from pipelines.formats.base import ArchiveError, ReadResult
from pipelines.formats.bluesky import read_bluesky
from pipelines.formats.canonical_files import read_canonical
from pipelines.formats.disqus import read_disqus
from pipelines.formats.facebook import read_facebook
from pipelines.formats.snscrape import read_snscrape
from pipelines.formats.tags import read_tags
from pipelines.formats.twarc_csv import read_twarc_csv
from pipelines.formats.twcs import read_twcs
from pipelines.formats.wxr import read_wxr
from pipelines.formats.x_archive import V11_DATE_SHAPE, read_x_archive
from pipelines.formats.x_v2 import INCLUDES_ONLY_HEAD, read_x_v2
from pipelines.formats.x_v11 import CONTROL_KEYS, read_x_v11

READERS: dict[str, Callable[[Path], ReadResult]] = {
    "x_v2": read_x_v2,
    "x_v11": read_x_v11,
    "snscrape": read_snscrape,
    "apify_x": read_apify_x,
    "wxr": read_wxr,
    "x_archive": read_x_archive,
    "twcs": read_twcs,
    "twarc_csv": read_twarc_csv,
    "tags": read_tags,
    "bluesky": read_bluesky,
    "facebook_graph": read_facebook,
    "disqus": read_disqus,
    "canonical": read_canonical,
}

#: The formats detection names, each with its reader.
KNOWN_FORMATS = tuple(READERS)

_SNIFF_BYTES = 65536
#: a v1.1 ``created_at`` value ("Sat Feb 18 12:33:11 +0000 2023"): X API v2, Bluesky and
#: Facebook write ISO 8601 times
_V11_CREATED_AT = re.compile(r'"created_at"\s*:\s*"' + V11_DATE_SHAPE + '"')
#: the class name snscrape writes in every item it saves ("_type": "snscrape.modules.twitter.Tweet"),
#: since version 0.4 (2021); earlier files name none, but their tweets hold these two keys
_SNSCRAPE_TYPE = re.compile(r'"_type"\s*:\s*"snscrape\.modules\.twitter\.')
_SNSCRAPE_KEYS = re.compile(r'"renderedContent"\s*:.*"conversationId"\s*:', re.DOTALL)
#: Apify's tweet scrapers (Tweet Scraper V2 and the actors writing its fields): two of a tweet's
#: type, its twitter.com link (both before its text) and its author's camel-case handle (after it:
#: past the head when the first tweet is a long post)
_APIFY_CUES = (re.compile(r'"type"\s*:\s*"tweet"'), re.compile(r'"twitterUrl"\s*:'), re.compile(r'"userName"\s*:'))
#: an AT Protocol record's address ("uri": "at://did:plc:.../app.bsky.feed.like/3k..."): Bluesky
#: records of any collection (a repository export's first records are often likes or follows)
_AT_URI = re.compile(r'"uri"\s*:\s*"at://')
#: keys of a first object that make a v1.1 file one of tweets: a tweet, a search page, a stream's
#: delete notice or other control message (a user stream opens with its "friends" line)
_V11_RECORD_KEYS = {"text", "full_text", "extended_tweet", "statuses", "results", "delete", *CONTROL_KEYS}


#: a JSON file holding nothing: an empty array or object (a page that found nothing)
_EMPTY_JSON = re.compile(r"\s*(?:\[\s*\]|\{\s*\})\s*")
#: a user stream's first line: the ids of the accounts the user follows, past the head when
#: they are many (5,000 ids of 19 digits are 100 KB)
_FRIENDS_LINE = re.compile(r'\{\s*"friends(?:_str)?"\s*:\s*\[')
#: how far a friends line is read to find the stream's next line
_FRIENDS_LINE_MAX_BYTES = 64 * 2**20


def _after_long_first_line(path: Path) -> str:
    """The head of the line after a first line longer than the sniffed head ('' when the file
    has no second line within :data:`_FRIENDS_LINE_MAX_BYTES`)."""
    with path.open("rb") as handle:
        while handle.tell() < _FRIENDS_LINE_MAX_BYTES:
            chunk = handle.read(_SNIFF_BYTES)
            if not chunk:
                return ""
            if (newline := chunk.find(b"\n")) >= 0:
                handle.seek(handle.tell() - len(chunk) + newline + 1)
                return handle.read(_SNIFF_BYTES).decode("utf-8", errors="replace").lstrip(" \t\r\n")
    return ""


def sniff(path: Path) -> str:
    """The first characters of a (decompressed, UTF-8) file, BOM and leading space removed."""
    with path.open("rb") as handle:
        data = handle.read(_SNIFF_BYTES)
    return data.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")


def _first_json_keys(head: str) -> set[str]:
    """Keys of the first JSON object in ``head`` (a JSON lines file or an array of objects)."""
    text = head.lstrip("[ \t\r\n")
    line = text.split("\n", 1)[0]
    try:
        first = json.loads(line)
    except ValueError:
        return set()
    return set(first) if isinstance(first, dict) else set()


def _first_object_keys(head: str) -> set[str]:
    """Keys of the first JSON object in ``head``, pretty-printed or not, when it is complete
    within the head (empty otherwise, or when it is nested too deeply to parse here)."""
    try:
        first, _ = json.JSONDecoder().raw_decode(head.lstrip("[ \t\r\n"))
    except (ValueError, RecursionError):
        return set()
    return set(first) if isinstance(first, dict) else set()


#: the keys of a v1.1 tweet object: its id, date and embedded author (a user object embeds a
#: tweet, not the other way round), and one of its texts
_V11_TWEET_KEYS = {"id_str", "created_at", "user"}
#: how many of the head's first objects are read for a v1.1 tweet
_V11_OBJECTS_READ = 5


def _v11_tweet_in(head: str) -> bool:
    """One of the first JSON lines of ``head`` is a v1.1 tweet object: a scraper that writes
    them leaves its null fields out (no ``in_reply_to_status_id`` on a tweet that replies to
    no one) and may open its file with an item of its own (``{"url", "error"}``)."""
    for line in head.splitlines()[:_V11_OBJECTS_READ]:
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict) and set(value) >= _V11_TWEET_KEYS and ({"text", "full_text"} & set(value)):
            return True
    return False


#: pandas' DataFrame.to_json() (orient="columns"): {"column": {"0": value, "1": ...}, ...}
_PANDAS_COLUMNS = re.compile(r'\s*\{\s*"[^"]+"\s*:\s*\{\s*"0"\s*:')
#: a v1.1 search page that found nothing: its tweets' array empty, first or after the metadata
_EMPTY_V11_SEARCH = re.compile(
    r'\s*\{\s*(?:"(?:statuses|results)"\s*:\s*\[\s*\]\s*,\s*"(?:search_metadata|requestParameters|next)"'
    r'|"search_metadata"\s*:\s*\{[^{}]*\}\s*,\s*"statuses"\s*:\s*\[\s*\])')


def detect_format(path: Path) -> str:
    """Name the archive format of ``path`` from its content (never from its name).

    ``path`` is the prepared file (pipelines.formats.decode.prepare): decompressed and UTF-8.
    """
    with path.open("rb") as handle:
        if handle.read(4) == b"PAR1":
            return "canonical"
    head = sniff(path)
    if not head:
        raise ArchiveError("empty file")
    if head.startswith("<"):
        if "<rss" in head and "wordpress.org/export" in head:
            return "wxr"
        if "<disqus" in head:
            return "disqus"
        raise ArchiveError("unknown format: XML that is neither a WordPress WXR nor a Disqus export")
    if head.startswith(("window.YTD.", "Grailbird.data.tweets_")):
        return "x_archive"
    if _FRIENDS_LINE.match(head) and "\n" not in head:
        # a user stream whose friends line is longer than the head: detect by the next line
        head = _after_long_first_line(path) or head
    if head.startswith(("{", "[")):
        first_keys = _first_json_keys(head)
        if {"message_id", "platform"} <= first_keys:
            return "canonical"
        # Bluesky records (listRecords, a repository export's): before the checks that look
        # for other formats' words, which a record of any collection may hold
        if {"uri", "value"} <= first_keys and _AT_URI.search(head):
            return "bluesky"
        # a page's includes saved alone (academictwitteR's users_<id>.json beside data_<id>.json)
        if INCLUDES_ONLY_HEAD.match(head) and ('"username"' in head or '"author_id"' in head):
            return "x_v2"
        # before Bluesky's and Facebook's checks, which look for words a tweet's text can hold
        if _SNSCRAPE_TYPE.search(head) or _SNSCRAPE_KEYS.search(head):
            return "snscrape"
        if sum(1 for cue in _APIFY_CUES if cue.search(head)) >= 2:
            return "apify_x"
        if _V11_CREATED_AT.search(head):
            if _v11_tweet_in(head):
                return "x_v11"
            if '"in_reply_to_status_id' in head:
                # a user object embeds its latest tweet: a file of users (friends, followers, lookups)
                # holds both, and its first object names no tweet field
                first = _first_object_keys(head)
                if not first or first & _V11_RECORD_KEYS or first == {"id"}:  # {"id": {...}}: statuses/lookup?map=true
                    return "x_v11"
        if '"time_us"' in head or "app.bsky.feed.post" in head or _AT_URI.search(head):
            return "bluesky"
        if '"created_time"' in head:
            return "facebook_graph"
        if '"edit_history_tweet_ids"' in head or ('"author_id"' in head and '"text"' in head):
            return "x_v2"
        # a search that found nothing: an X API v2 page is {"meta": {"result_count": 0}} alone,
        # a v1.1 one {"statuses": [], "search_metadata": {...}} (premium: {"results": [], ...})
        if '"result_count"' in head and _first_object_keys(head) == {"meta"}:
            return "x_v2"
        if _EMPTY_V11_SEARCH.match(head):
            return "x_v11"
        if _EMPTY_JSON.fullmatch(head):
            raise ArchiveError("no records: an empty JSON array or object (a page of a search or timeline "
                               "that found nothing?)")
        if _PANDAS_COLUMNS.match(head):
            raise ArchiveError(
                "unknown format: JSON of columns keyed by row number, as pandas' DataFrame.to_json() writes: "
                "a table re-saved by pandas is not read (its ids, dates and nested objects have changed); "
                "ingest the file the tool wrote (snscrape --jsonl, twarc2, the API's pages)")
        first = _first_object_keys(head)
        if {"username", "user_id", "full_text"} <= first:
            raise ArchiveError(
                "unknown format: the older Apify Twitter scraper's records (username, user_id, full_text) are "
                "not read: run Apify's Tweet Scraper V2 and export its dataset as JSON (docs/formats.md)")
        if {"code", "body"} <= first:
            raise ArchiveError(
                "unknown format: a Graph API batch response ([{code, body}]): the responses are JSON strings "
                "inside it; save each body as a file of its own and ingest those")
        if {"username", "tweet", "conversation_id", "timezone"} <= first:
            raise ArchiveError(
                "unknown format: twint's output (username, tweet, conversation_id) is not read: its times are "
                "local, with a zone name; collect the tweets with snscrape --jsonl, twarc2 or the API")
        if {"screen_name", "followers_count"} <= first and not first & {"text", "full_text"}:
            raise ArchiveError("unknown format: X user objects (users/lookup, followers, friends), not tweets")
        raise ArchiveError("unknown format: JSON that matches no known archive format")
    header = {column.strip().strip('"').lower() for column in re.split(r"[,;\t]", head.splitlines()[0])}
    if {"tweet_id", "inbound"} <= header:
        return "twcs"
    if {"message_id", "platform", "author_id", "created_at", "text"} <= header:
        return "canonical"
    if {"id", "author_id", "created_at", "text"} <= header and {"conversation_id", "author.username"} & header:
        return "twarc_csv"
    if {"id_str", "from_user", "created_at", "text"} <= header:
        return "tags"
    if {"date", "username", "to", "text", "permalink"} <= header:
        raise ArchiveError("unknown format: a GetOldTweets CSV is not read: its dates carry no time zone and its "
                           "tweets no author id; collect the tweets with snscrape --jsonl, twarc2 or the API")
    if {"tweet id", "tweet permalink", "impressions"} <= header:
        raise ArchiveError("unknown format: X's Tweet activity (analytics) CSV holds the account's own tweets and "
                           "their counts, not the messages others wrote to it: not an archive of conversations")
    raise ArchiveError("unknown format: not JSON, XML, an X archive, or a twcs, twarc-csv or TAGS CSV")


def read_archive(path: Path, fmt: str) -> ReadResult:
    """Read ``path`` with the reader of ``fmt``."""
    reader = READERS.get(fmt)
    if reader is None:
        raise ArchiveError(f"format {fmt!r} is recognised but brandcare cannot read it yet")
    return reader(path)


__all__ = ["ArchiveError", "KNOWN_FORMATS", "READERS", "ReadResult", "detect_format", "read_archive"]
