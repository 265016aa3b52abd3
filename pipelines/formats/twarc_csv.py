"""X API v2 tweets as CSV, written by twarc-csv (``twarc2 csv``), the usual way a twarc2
collection is handed to an analyst: one row per tweet, its fields flattened into dotted
columns (``id``, ``conversation_id``, ``referenced_tweets.replied_to.id``,
``referenced_tweets.retweeted.id``, ``referenced_tweets.quoted.id``, ``author_id``,
``author.username``, ``author.public_metrics.followers_count``, ``in_reply_to_user_id``,
``created_at``, ``text``, ``lang``, ``entities.mentions``, ``edit_history_tweet_ids``, ...).

The same tweets as the ``x_v2`` reader reads from the JSON, mapped the same way: of an edited
tweet the first id of ``edit_history_tweet_ids`` is the message; a retweet
(``referenced_tweets.retweeted.id``) is a repost. ``entities.mentions`` is a JSON list of
``"@handle"`` strings (twarc-csv's default) or of mention objects (``--no-process-entities``).
Early twarc-csv (0.0.x, 2020) wrote the references as one column, ``referenced_tweets``, a
JSON list of ``{"type", "id"}``: read where the dotted column is absent or empty.
twarc-csv leaves out the tweets a tweet refers to unless asked (``--inline-referenced-tweets``,
which writes them as rows of their own, read as any row). Only the columns named here are
read; the file may hold any others, in any order. twarc-csv writes a text's line breaks as the
two characters ``\n``: read back as line breaks.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import polars as pl

from pipelines.formats.base import (
    ReadResult,
    id_text,
    invalid_id,
    lost_id_notes,
    read_csv_columns,
    result,
    x_id,
    x_text,
)

#: the columns a file must have to be read as twarc-csv
REQUIRED = ("id", "author_id", "created_at", "text")
#: an ISO 8601 time with its zone, 'T' or a space between date and time (pandas writes a table of
#: tweepy's v2 tweets so: '2021-09-10 11:31:48+00:00', every row was quarantined: QA)
ISO_ZONED = r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)$"
#: the optional columns read, each NULL when the file lacks it
OPTIONAL = (
    "conversation_id", "referenced_tweets.replied_to.id", "referenced_tweets.retweeted.id",
    "referenced_tweets.quoted.id", "in_reply_to_user_id", "author.username",
    "author.public_metrics.followers_count", "lang", "entities.mentions", "edit_history_tweet_ids",
    "referenced_tweets",
)
#: the kinds of reference, each a dotted column (``referenced_tweets.<kind>.id``)
REFERENCES = ("replied_to", "retweeted", "quoted")
#: the id columns: digits, or the row (id, author_id) is quarantined / the reference is NULL
IDS = ("id", "author_id", "conversation_id", "referenced_tweets.replied_to.id", "referenced_tweets.retweeted.id",
       "referenced_tweets.quoted.id", "in_reply_to_user_id")


def read_twarc_csv(path: Path) -> ReadResult:
    """Read a twarc-csv file of tweets into canonical rows."""
    rows, cut_off = read_csv_columns(path, "a twarc-csv file of tweets", REQUIRED, OPTIONAL, verbatim=("text",))
    # --json-encode-all / --json-encode-text: every (or every text) cell a JSON string; decoded,
    # a text comes back exactly, its line breaks with it
    encoded = {c for c in (*REQUIRED, *OPTIONAL) if rows[c].str.contains(r'^".*"$').all()
               and rows[c].drop_nulls().len() > 0}
    text = pl.col("text").str.replace_all("\\n", "\n", literal=True) if "text" not in encoded else pl.col("text")
    rows = rows.with_columns(
        pl.coalesce(f"referenced_tweets.{kind}.id", pl.col("referenced_tweets").map_elements(
            lambda value, kind=kind: _referenced(value, kind), return_dtype=pl.String))
        for kind in REFERENCES
    ).with_columns(
        *[pl.col(c).map_elements(_json_string, return_dtype=pl.String) for c in encoded],
    ).with_columns(
        text.alias("text"),
        *[id_text(c).alias(f"{c}_") for c in IDS],
    )
    checked = rows.with_columns(
        pl.when(pl.col("id").is_null()).then(pl.lit("missing required field: id"))
        .when(pl.col("id_").is_null()).then(invalid_id("id"))
        .when(pl.col("author_id").is_null()).then(pl.lit("missing required field: author_id"))
        .when(pl.col("author_id_").is_null()).then(invalid_id("author_id"))
        .when(pl.col("created_at").is_null()).then(pl.lit("missing required field: created_at"))
        .when(~pl.col("created_at").str.contains(ISO_ZONED)).then(pl.format("invalid created_at: {}", "created_at"))
        .when(pl.col("text").is_null() & pl.col("referenced_tweets.retweeted.id").is_null())
        .then(pl.lit("missing required field: text"))
        .alias("reason")
    )
    bad = checked.filter(pl.col("reason").is_not_null()).select(
        "position", "reason", pl.concat_str(pl.col(*REQUIRED).fill_null(""), separator=",").alias("excerpt"))
    good = checked.filter(pl.col("reason").is_null())
    notes = lost_id_notes(good, tuple(c for c in IDS if c not in ("id", "author_id"))) + _unlinked_replies(good)
    first_id = pl.coalesce(pl.col("edit_history_tweet_ids").map_elements(_first_id, return_dtype=pl.String),
                           pl.col("id_")).alias("first_id")
    messages = good.with_columns(first_id).select(
        x_id("first_id").alias("message_id"),
        x_id("id_").alias("version_id"),
        pl.lit("x").alias("platform"),
        pl.col("first_id").alias("native_id"),
        pl.when(pl.col("referenced_tweets.retweeted.id").is_not_null()).then(pl.lit("repost"))
        .otherwise(pl.lit("post")).alias("kind"),
        x_id("conversation_id_").alias("conversation_id"),
        x_id("referenced_tweets.replied_to.id_").alias("parent_id"),
        x_id("referenced_tweets.quoted.id_").alias("quoted_id"),
        x_id("referenced_tweets.retweeted.id_").alias("reposted_id"),
        pl.col("author_id_").alias("author_id"),
        pl.col("author.username").alias("author_handle"),
        # pandas writes a batch's counts as floats (443.0) when one of them is missing
        pl.col("author.public_metrics.followers_count").cast(pl.Float64, strict=False).cast(pl.Int64, strict=False)
        .alias("author_followers"),
        pl.col("in_reply_to_user_id_").alias("in_reply_to_author_id"),
        pl.col("entities.mentions").map_elements(_mentions, return_dtype=pl.List(pl.String))
        .fill_null(pl.lit([], pl.List(pl.String))).alias("mentions"),
        pl.col("created_at").str.to_datetime(time_zone="UTC", time_unit="us"),
        x_text(pl.col("text")).alias("text"),
        pl.col("lang"),
        pl.concat_str([pl.lit("https://x.com/"), pl.col("author.username").fill_null("i/web"), pl.lit("/status/"),
                       pl.col("id_")]).alias("url"),
        pl.col("position"),
    )
    return result(messages, pl.concat([bad, cut_off], how="vertical_relaxed"), notes)


def _unlinked_replies(rows: pl.DataFrame) -> tuple[str, ...]:
    """A note when the file names no tweet any of its tweets replies to or quotes, while some
    reply to an account: a CSV of tweets written by another tool (its references in columns
    twarc-csv does not write) would otherwise load every reply unlinked, and silently (QA)."""
    replies = rows.filter(pl.col("in_reply_to_user_id").is_not_null()).height
    if not replies or any(rows[f"referenced_tweets.{kind}.id"].is_not_null().any() for kind in REFERENCES):
        return ()
    return (f"{replies} tweet(s) reply to an account (in_reply_to_user_id), but the file names no tweet they reply "
            "to (no referenced_tweets.replied_to.id nor referenced_tweets values): they are not linked to their "
            "parents, so a brand reply among them answers no case. twarc-csv writes those columns; a CSV of "
            "another tool's does not: ingest the JSON its tweets came from instead",)


def _json_string(value: str) -> str:
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    return decoded if isinstance(decoded, str) else value


def _items(value: str) -> list:
    """A list cell: JSON (twarc-csv's default), or Python's repr (``--no-json-encode-lists``)."""
    for parse in (json.loads, ast.literal_eval):
        try:
            items = parse(value)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            continue
        return items if isinstance(items, list) else []
    return []


def _referenced(value: str, kind: str) -> str | None:
    """The id of the tweet of reference ``kind`` in a ``referenced_tweets`` list cell."""
    for item in _items(value):
        if isinstance(item, dict) and item.get("type") == kind and item.get("id") is not None:
            return str(item["id"])
    return None


def _first_id(value: str) -> str | None:
    """The first id of ``edit_history_tweet_ids``."""
    ids = _items(value)
    first = str(ids[0]).strip() if ids else None
    return first if first and first.isdigit() else None


def _mentions(value: str) -> list[str]:
    """Lower-cased handles, then ids, of ``entities.mentions``: ``["@a", "@b"]`` or mention objects."""
    items = _items(value)
    handles = [str(i.get("username") if isinstance(i, dict) else i).lstrip("@").lower() for i in items
               if isinstance(i, str) or (isinstance(i, dict) and i.get("username"))]
    ids = [str(i["id"]) for i in items if isinstance(i, dict) and str(i.get("id", "")).isdigit()]
    return list(dict.fromkeys(h for h in handles + ids if h))
