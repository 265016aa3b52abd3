"""X/Twitter personal archive parts: ``window.YTD.<part>.partN = [ ... ]`` JavaScript files,
and the months of tweets of the archives Twitter gave from 2012 to 2018 (``data/js/tweets/
YYYY_MM.js``: ``Grailbird.data.tweets_YYYY_MM = [ ... ]``, v1.1 tweets whose ``created_at``
reads "2013-01-31 14:32:21 +0000", each embedding its author as ``user``).

The part name in the file's first line (never the file name) says what the file holds:

- ``tweets``/``tweet`` (``data/tweets.js``, ``tweets-part1.js``..., older ``data/tweet.js``):
  the owner's posts, each item wrapped as ``{"tweet": {...}}`` or a bare v1.1 tweet object;
  ``deleted_tweets`` the same, marked ``deleted``; ``community_tweet`` (``community-tweet.js``)
  the owner's posts in X Communities, read as tweets. A post whose text starts ``RT @`` is a repost.
- ``note_tweet`` (``note-tweet.js``): the full text of long posts, read as posts
  ``x:note:<noteTweetId>``. The archive does not link a note to the copy of the same post in
  tweets.js (cut at 280 characters); read beside it, that post takes the note's text
  (:func:`_whole_texts`), and the warehouse keeps one message of the two (int_messages_deduplicated).
- ``account`` (``account.js``): one ``profile`` row for the owner, ``x:profile:<accountId>``.

Tweet objects carry no author: the archive holds only its owner's posts, and the owner is
read from ``account.js`` in the same directory as the file being read. Without it every post
is quarantined. Any other part (likes, followers, direct messages...) holds no public posts:
it is read, loads nothing, and says so in its notes. Files are small, so they are parsed with
the json module.
"""

from __future__ import annotations

import bisect
import html
import json
import re
from pathlib import Path

import polars as pl

from pipelines.canonical import MESSAGE_SCHEMA
from pipelines.formats.base import ArchiveError, ReadResult, quarantine_frame, result, without_keys, x_profile, x_text

#: v1.1 ``created_at`` ("Sat Feb 18 12:33:11 +0000 2023") once its weekday is cut off: the
#: weekday is redundant, and Polars rejects a date whose weekday does not match it.
V11_CREATED_AT = "%b %d %H:%M:%S %z %Y"
#: the shape of a whole v1.1 ``created_at``, weekday included (a regular expression)
V11_DATE_SHAPE = r"[A-Za-z]{3} [A-Za-z]{3} \d\d \d\d:\d\d:\d\d [+-]\d{4} \d{4}"

#: ``createdAt`` of account.js and note-tweet.js ("2023-02-18T12:33:11.000Z").
ISO_CREATED_AT = "%Y-%m-%dT%H:%M:%S%.f%#z"

NO_ACCOUNT = "author unknown: personal archive without account.js (ingest the whole archive folder or zip)"

#: ``createdAt`` of the 2012-2018 archive's tweets ("2013-01-31 14:32:21 +0000").
GRAILBIRD_CREATED_AT = "%Y-%m-%d %H:%M:%S %z"

_PREFIX = re.compile(r"window\.YTD\.(\w+)\.part\d+\s*=\s*|Grailbird\.data\.tweets_\d{4}_\d{2}\s*=\s*")
#: the part name read_ytd gives a 2012-2018 archive's month of tweets (data/js/tweets/YYYY_MM.js)
GRAILBIRD_TWEETS = "grailbird_tweets"
#: part -> deleted; community_tweet: the owner's posts in X Communities, public, shaped as tweets
_TWEET_PARTS = {"tweets": False, "tweet": False, "deleted_tweets": True, "community_tweet": False}
_NOTE_PARTS = ("note_tweet", "note_tweets")
_ACCOUNT_PARTS = ("account",)


def v11_datetime(raw: pl.Expr) -> pl.Expr:
    """Parse v1.1 ``created_at`` strings ("Tue Oct 31 22:10:47 +0000 2017") to UTC; NULL if invalid."""
    return raw.str.strip_chars().str.replace(r"^[A-Za-z]{3}\s+", "").str.to_datetime(
        V11_CREATED_AT, strict=False, time_zone="UTC", time_unit="us"
    )


def read_ytd(path: Path) -> tuple[str, list]:
    """The part name (``tweets``, ``account``...) and the items of a ``window.YTD`` file."""
    try:
        content = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ArchiveError(f"not readable as an X archive part: {exc}") from exc
    content = content.strip()
    match = _PREFIX.match(content)
    if match is None:
        raise ArchiveError("not an X archive part: the file does not start with 'window.YTD.<name>.partN = ' "
                           "(or 'Grailbird.data.tweets_YYYY_MM = ', the archives of 2012 to 2018)")
    part = match.group(1) or GRAILBIRD_TWEETS
    body = content[match.end():].rstrip().rstrip(";").rstrip()
    try:
        items = json.loads(body)
    except json.JSONDecodeError as exc:
        raise ArchiveError(f"X archive part {part!r} is not valid JSON: {exc}") from exc
    if not isinstance(items, list):
        raise ArchiveError(f"X archive part {part!r} is not a JSON array")
    return part, items


def read_x_archive(path: Path) -> ReadResult:
    """Read one part of an X personal archive (tweets, note tweets or account) into canonical rows."""
    part, items = read_ytd(path)
    notes: tuple[str, ...] = ()
    if part in _ACCOUNT_PARTS:
        records, bad = _profiles(items)
    elif part == GRAILBIRD_TWEETS:  # each tweet names its author (the archive's owner)
        records, bad = _tweets(items, None, deleted=False)
    elif part in _TWEET_PARTS or part in _NOTE_PARTS:
        owner, owner_problem = _owner(path.parent / "account.js")
        if owner_problem:
            records = []
            bad = [{"position": i, "reason": owner_problem, "excerpt": excerpt(item)}
                   for i, item in enumerate(items)]
        elif part in _NOTE_PARTS:
            records, bad = _notes(items, owner)
        else:
            records, bad = _tweets(items, owner, deleted=_TWEET_PARTS[part])
            whole = _whole_texts(records, path.parent / NOTE_TWEETS)
            if whole:
                notes = (f"{whole} long posts read with their whole text from {NOTE_TWEETS} (the file of posts "
                         "holds their first 280 characters)",)
    else:
        # an archive holds some forty such parts beside its posts: read, and nothing in them to load
        return result(pl.DataFrame(schema=MESSAGE_SCHEMA), quarantine_frame([]), notes=(
            f"X archive part {part!r} holds no public posts: nothing loaded (only tweets, notes and the account are)",))
    owner_only = (OWNER_ONLY,) if part == GRAILBIRD_TWEETS or part in _TWEET_PARTS else ()
    return result(*finish(records, bad), notes=owner_only + notes)


#: said of every file of an archive's posts: what its scorecards can and cannot say
OWNER_ONLY = ("an archive holds its owner's posts (and, before 2019, the tweets they retweeted), not the "
              "messages others wrote to the owner: its replies answer messages the archives lack, and its "
              "cases are the retweeted or quoted tweets that name the owner; to measure its care, ingest the "
              "other side too (a search of the account's mentions)")


def finish(records: list[dict], bad: list[dict]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(messages, quarantine) of parsed records: every record's date parsed in one pass; a
    record whose date does not parse is quarantined (with the record's ``excerpt``). The caller
    makes the file's one :func:`~pipelines.formats.base.result` of them."""
    schema = {**MESSAGE_SCHEMA, "created_at": pl.String, "date_field": pl.String, "excerpt": pl.String}
    raw = pl.col("created_at")
    parsed = pl.DataFrame(records, schema=schema).with_columns(
        pl.coalesce(
            v11_datetime(raw),
            raw.str.to_datetime(ISO_CREATED_AT, strict=False, time_zone="UTC", time_unit="us"),
            raw.str.to_datetime(GRAILBIRD_CREATED_AT, strict=False, time_zone="UTC", time_unit="us"),
        ).alias("parsed_at")
    )
    undated = parsed.filter(pl.col("parsed_at").is_null()).select(
        "position", pl.format("invalid {}: {}", "date_field", "created_at").alias("reason"), "excerpt"
    )
    messages = parsed.filter(pl.col("parsed_at").is_not_null()).with_columns(
        pl.col("parsed_at").alias("created_at"), x_text(pl.col("text"))
    )
    quarantine = pl.concat([quarantine_frame(bad), quarantine_frame(undated.to_dicts())]).sort("position")
    return messages.drop("parsed_at", "date_field", "excerpt"), quarantine


def excerpt(item: object, leave_out: frozenset[str] = frozenset()) -> str:
    """A record as JSON text for the quarantine, without the keys ``leave_out`` (at any depth)."""
    return clean(json.dumps(without_keys(item, leave_out) if leave_out else item, ensure_ascii=False))


def _owner(account_js: Path) -> tuple[dict, str | None]:
    """The archive owner's accountId and username from account.js, or why they are unknown."""
    if not account_js.is_file():
        return {}, NO_ACCOUNT
    try:
        _, items = read_ytd(account_js)
    except ArchiveError as exc:
        return {}, f"author unknown: account.js beside the file cannot be read ({exc})"
    accounts = [a for a in (_unwrap(i, "account") for i in items) if isinstance(a, dict) and a.get("accountId")]
    if not accounts:
        return {}, "author unknown: account.js beside the file names no accountId"
    return {"id": str(accounts[0]["accountId"]), "handle": accounts[0].get("username")}, None


def _unwrap(item: object, key: str) -> object:
    """The object inside ``{"<key>": {...}}``, or the item itself when it is not wrapped."""
    if isinstance(item, dict) and isinstance(item.get(key), dict):
        return item[key]
    return item


def text_value(value: object) -> str | None:
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = clean(str(value)).strip()
    return text or None


def clean(text: str) -> str:
    """``text`` as valid Unicode: a lone half of a surrogate pair, which JSON's ``\\ud83d``
    escape can carry (X cut texts through emoji) and no UTF-8 writer accepts, becomes U+FFFD."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def follower_count(value: object) -> int | None:
    """A followers count given as a JSON integer that fits the schema's Int64; None otherwise
    (a string, a float, a boolean, or a number no account has)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63:
        return value
    return None


def numeric_id(value: object) -> str | None:
    """A numeric id given as a string (or a number in hand-made files); None otherwise."""
    text = text_value(value)
    return text if text and text.isdigit() else None


def v11_id(obj: dict, key: str) -> str | None:
    """A v1.1 object's id ``key``: its string form ``<key>_str``, else the number ``<key>``."""
    return numeric_id(obj.get(f"{key}_str")) or numeric_id(obj.get(key))


def _tweets(items: list, owner: dict | None, deleted: bool) -> tuple[list[dict], list[dict]]:
    """The archive's tweets, by ``owner`` (account.js), or each by the ``user`` it embeds
    (``owner`` None: the 2012-2018 archive)."""
    records, bad = [], []
    position = 0
    for item in items:
        tweet = _unwrap(item, "tweet")
        # a 2012-2018 archive's retweet embeds the whole tweet it repeats, with its author: a
        # message too (as in API objects), counted after the retweet
        embedded = tweet.get("retweeted_status") if owner is None and isinstance(tweet, dict) else None
        for record_item in (item, *([embedded] if isinstance(embedded, dict) else [])):
            record_tweet = _unwrap(record_item, "tweet")
            reason = tweet_problem(record_tweet) or (_date_only(record_tweet) if owner is None else None)
            author = owner or _embedded_author(record_tweet)
            if not reason and author is None:
                reason = "missing required field: user (the author each tweet of this archive names)"
            if reason:
                bad.append({"position": position, "reason": reason, "excerpt": excerpt(record_item)})
            else:
                # "RT @" in a text is a retweet only in today's archive, whose retweets carry no
                # retweeted_status; in the 2012-2018 archive, whose retweets do, and in the tweet
                # one embeds (another account's API object), it is a hand-written retweet: the
                # writer's words, a message, as in API files (x_v11)
                records.append(tweet_record(record_tweet, author, position, deleted=deleted,
                                            rt_text_is_repost=owner is not None)
                               | {"excerpt": excerpt(record_item)})
            position += 1
    return records, bad


#: tweet ids below this predate Snowflake (4 November 2010): sequential, no time in them. The
#: last were near 3e10; Snowflake's first ids were far above 1e12.
SNOWFLAKE_FIRST_ID = 10**12
DATE_ONLY = ("time of day unknown: this archive gives only the date of tweets from before November 2010 "
             "('{}'), and a time is never guessed")


def _date_only(tweet: dict) -> str | None:
    """Why a 2012-2018 archive's tweet has no time of day, or None: the archive writes midnight
    for every tweet older than Snowflake ids (QA, two real archives: all 1,832 such tweets);
    loaded, they made up response minutes, and a reply could read as earlier than its question."""
    created = str(tweet["created_at"])
    if not created.endswith(" 00:00:00 +0000"):
        return None
    native = v11_id(tweet, "id")
    return DATE_ONLY.format(created) if native is not None and int(native) < SNOWFLAKE_FIRST_ID else None


def _embedded_author(tweet: dict) -> dict | None:
    user = tweet.get("user")
    if not isinstance(user, dict) or not v11_id(user, "id"):
        return None
    return {"id": v11_id(user, "id"), "handle": text_value(user.get("screen_name")),
            "followers": follower_count(user.get("followers_count"))}


def tweet_record(tweet: dict, author: dict, position: int, deleted: bool = False, rt_text_is_repost: bool = True
                 ) -> dict:
    """A v1.1 tweet object (checked by :func:`tweet_problem`) as a canonical record, its
    ``created_at`` still a string (:func:`finish` parses it). ``author``: ``id``, ``handle``
    and ``followers`` (None when unknown). The text is the full one: ``extended_tweet.full_text``
    (streaming API), ``full_text`` (extended mode, archives), else ``text``. Its conversation is
    ``conversation_id_str`` where the object carries one (scrapers that write v1.1 objects add
    it; X's own v1.1 objects and archives do not). A tweet with
    ``retweeted_status`` is a repost; so is one whose text starts ``RT @`` when
    ``rt_text_is_repost`` (a personal archive's retweets carry no ``retweeted_status``; in API
    objects, which do, such a text is a reply or a hand-written retweet: the author's words)."""
    tweet_id = v11_id(tweet, "id")
    extended = tweet.get("extended_tweet") if isinstance(tweet.get("extended_tweet"), dict) else {}
    text = _text_of(tweet)
    retweeted = tweet.get("retweeted_status")
    reposted = v11_id(retweeted, "id") if isinstance(retweeted, dict) else None
    parent = v11_id(tweet, "in_reply_to_status_id")
    quoted = v11_id(tweet, "quoted_status_id")
    return x_tweet(
        tweet_id, author, initial=initial_tweet_id(tweet),
        repost=bool(reposted or (rt_text_is_repost and text.startswith("RT @"))),
        conversation=v11_id(tweet, "conversation_id"), parent=parent, quoted=quoted, reposted=reposted,
        in_reply_to=v11_id(tweet, "in_reply_to_user_id"),
        mentions=mentions_of(extended.get("entities") or tweet.get("entities"), "user_mentions", "screen_name",
                             "id_str"),
        created_at=str(tweet["created_at"]), date_field="created_at", text=text, lang=text_value(tweet.get("lang")),
        position=position,
    ) | {"deleted": True if deleted else None}


def initial_tweet_id(tweet: dict) -> str | None:
    """The first id of an edited tweet's chain, as X API v2's ``edit_history_tweet_ids`` gives it:
    from a personal archive's ``edit_info`` (``initial.editTweetIds``, ``edit.initialTweetId``)
    or a v1.1 object's ``edit_history.initial_tweet_id``; None for a tweet never edited (QA: an
    archive's edited tweets were two messages each)."""
    info = tweet.get("edit_info") if isinstance(tweet.get("edit_info"), dict) else {}
    edit, initial = info.get("edit"), info.get("initial")
    history = tweet.get("edit_history")
    candidates = (
        edit.get("initialTweetId") if isinstance(edit, dict) else None,
        (initial.get("editTweetIds") or [None])[0]
        if isinstance(initial, dict) and isinstance(initial.get("editTweetIds"), list) else None,
        history.get("initial_tweet_id") if isinstance(history, dict) else None,
    )
    return next((str(c) for c in candidates if c is not None and str(c).isdigit()), None)


def x_tweet(
    tweet_id: str, author: dict, *, repost: bool, conversation: str | None, parent: str | None, quoted: str | None,
    reposted: str | None, in_reply_to: str | None, mentions: list[str], created_at: str, date_field: str, text: str,
    lang: str | None, position: int, initial: str | None = None,
) -> dict:
    """The canonical record of a tweet that a Python reader parsed (``x_v11``, ``x_archive``,
    ``snscrape``, ``apify_x``), its ``created_at`` still text for :func:`finish`. Ids are given
    bare and written ``x:<id>``; ``author``: ``id``, ``handle``, ``followers`` (None when unknown);
    ``initial``: the first id of an edited tweet's chain, the message this tweet is a version of."""

    def ref(native: str | None) -> str | None:
        return f"x:{native}" if native else None

    return {
        "message_id": f"x:{initial or tweet_id}", "version_id": f"x:{tweet_id}", "platform": "x", "native_id": tweet_id,
        "kind": "repost" if repost else "post",
        "conversation_id": ref(conversation), "parent_id": ref(parent), "quoted_id": ref(quoted),
        "reposted_id": ref(reposted),
        "author_id": author["id"], "author_handle": author["handle"], "author_followers": author.get("followers"),
        "in_reply_to_author_id": in_reply_to, "mentions": mentions,
        "created_at": created_at, "date_field": date_field, "text": clean(text), "lang": lang,
        "url": f"https://x.com/{author['handle'] or 'i/web'}/status/{tweet_id}",
        "position": position,
    }


def _text_of(tweet: dict) -> object:
    extended = tweet.get("extended_tweet")
    if isinstance(extended, dict) and extended.get("full_text") is not None:
        return extended["full_text"]
    return tweet.get("full_text", tweet.get("text"))


def tweet_problem(tweet: object) -> str | None:
    """Why a v1.1 tweet object cannot be read, or None."""
    if not isinstance(tweet, dict):
        return "record is not a JSON object"
    raw_id = tweet.get("id_str", tweet.get("id"))
    if raw_id is None:
        return "missing required field: id_str"
    if not v11_id(tweet, "id"):
        return f"invalid id_str: {str(raw_id)[:60]}"
    if tweet.get("created_at") is None:
        return "missing required field: created_at"
    text = _text_of(tweet)
    if text is None:
        return "missing required field: full_text"
    if not isinstance(text, str):
        return "full_text is not a string"
    return None


def mentions_of(entities: object, key: str, handle_key: str, id_key: str) -> list[str]:
    """Lower-cased handles, then ids, of the accounts mentioned, each once."""
    mentioned = entities.get(key) if isinstance(entities, dict) else None
    if not isinstance(mentioned, list):
        return []
    handles = [text_value(m.get(handle_key)) for m in mentioned if isinstance(m, dict)]
    ids = [numeric_id(m.get(id_key)) for m in mentioned if isinstance(m, dict)]
    found = [h.lstrip("@").lower() for h in handles if h] + [i for i in ids if i]
    return list(dict.fromkeys(found))


#: The archive's file of long posts' whole texts, read beside a file of posts (a companion).
NOTE_TWEETS = "note-tweet.js"
#: A note is written just before the post that shows it: the post's id is the next one, a few
#: milliseconds later (measured on a real archive: 21 to 155 ms); a minute is the bound.
_NOTE_TO_POST_MS = 60_000
_SNOWFLAKE_MS_SHIFT = 22
_SHORT_LINK = re.compile(r"https://t\.co/\w+")
_LEADING_HANDLES = re.compile(r"^(?:@\w+\s+)+")


def _comparable(text: str) -> str:
    """A post's or a note's text for matching them: entities read back, short links (each copy
    has its own) and the leading @handles of a reply (the note lacks them) removed, spaces collapsed."""
    text = html.unescape(_LEADING_HANDLES.sub("", _SHORT_LINK.sub(" ", text)))
    return " ".join(text.split())


def _whole_texts(records: list[dict], note_file: Path) -> int:
    """Give each post that shows a note of ``note_file`` (the archive's long posts) the note's
    whole text and mentions, in place; the number of posts given one.

    The archive does not link them: a post shows a note when its id follows the note's within
    :data:`_NOTE_TO_POST_MS` and its text is the note's (a short one) or the note's beginning
    cut with "…" (a media link may follow). Each note goes to the first such post after it. A
    missing or unreadable note file gives nothing here (it says why when it is read itself)."""
    if not note_file.is_file():
        return 0
    try:
        _, items = read_ytd(note_file)
    except ArchiveError:
        return 0
    notes, _ = _notes(items, {"id": None, "handle": None})
    if not notes:
        return 0
    posts = sorted((int(r["native_id"]), i) for i, r in enumerate(records) if r["native_id"].isdigit())
    post_ids = [native for native, _ in posts]
    taken: set[int] = set()  # the records given a note's text
    for note in sorted(notes, key=lambda n: int(n["native_id"].removeprefix("note:"))):  # oldest first
        note_id = int(note["native_id"].removeprefix("note:"))
        whole = _comparable(note["text"])
        start = bisect.bisect_right(post_ids, note_id)
        for native, index in posts[start:]:
            if (native >> _SNOWFLAKE_MS_SHIFT) - (note_id >> _SNOWFLAKE_MS_SHIFT) > _NOTE_TO_POST_MS:
                break
            record = records[index]
            shown = _comparable(record["text"])
            cut = shown.endswith("…") and whole.startswith(shown.removesuffix("…").rstrip())
            if record["kind"] == "post" and index not in taken and (shown == whole or cut):
                # the note's text as it is (a reply's leading @handles, which it lacks, stay in
                # mentions): equal texts are how the warehouse knows the two for one message
                record["text"] = note["text"]
                record["mentions"] = list(dict.fromkeys(record["mentions"] + note["mentions"]))
                taken.add(index)
                break
    return len(taken)


def _notes(items: list, owner: dict) -> tuple[list[dict], list[dict]]:
    records, bad = [], []
    for position, item in enumerate(items):
        note = _unwrap(item, "noteTweet")
        core = note.get("core") if isinstance(note, dict) else None
        text = core.get("text") if isinstance(core, dict) else None
        note_id = numeric_id(note.get("noteTweetId")) if isinstance(note, dict) else None
        reason = (
            "record is not a JSON object" if not isinstance(note, dict)
            else "missing required field: noteTweetId" if note.get("noteTweetId") is None
            else f"invalid noteTweetId: {note.get('noteTweetId')}" if note_id is None
            else "missing required field: createdAt" if note.get("createdAt") is None
            else "missing required field: core.text" if text is None
            else "core.text is not a string" if not isinstance(text, str)
            else None
        )
        if reason:
            bad.append({"position": position, "reason": reason, "excerpt": excerpt(item)})
            continue
        records.append({
            "message_id": f"x:note:{note_id}", "version_id": f"x:note:{note_id}", "platform": "x",
            "native_id": f"note:{note_id}", "kind": "post",
            "author_id": owner["id"], "author_handle": owner["handle"],
            "mentions": mentions_of(core, "mentions", "screenName", "id_str"),
            "created_at": str(note.get("createdAt")), "date_field": "createdAt",
            "text": clean(text), "position": position, "excerpt": excerpt(item),
        })
    return records, bad


#: what account.js holds and X never shows (the owner's e-mail address, phone, sign-up client):
#: left out of its excerpts, which a quarantine publishes
PRIVATE_ACCOUNT_FIELDS = frozenset({"email", "phone", "phoneNumber", "createdVia"})


def _profiles(items: list) -> tuple[list[dict], list[dict]]:
    records, bad = [], []
    for position, item in enumerate(items):
        account = _unwrap(item, "account")
        account_id = numeric_id(account.get("accountId")) if isinstance(account, dict) else None
        reason = (
            "record is not a JSON object" if not isinstance(account, dict)
            else "missing required field: accountId" if account.get("accountId") is None
            else f"invalid accountId: {account.get('accountId')}" if account_id is None
            else "missing required field: username" if not text_value(account.get("username"))
            else "missing required field: createdAt" if account.get("createdAt") is None
            else None
        )
        if reason:
            bad.append({"position": position, "reason": reason, "excerpt": excerpt(item, PRIVATE_ACCOUNT_FIELDS)})
            continue
        records.append({
            **x_profile(account_id, text_value(account["username"])),
            "created_at": str(account["createdAt"]), "date_field": "createdAt",
            "position": position, "excerpt": excerpt(item, PRIVATE_ACCOUNT_FIELDS),
        })
    return records, bad
