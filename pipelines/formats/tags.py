"""TAGS archives (Twitter Archiving Google Sheet, Martin Hawksey's tool), downloaded as CSV:
the ``Archive`` sheet of a TAGS spreadsheet (File > Download > Comma-separated values), one row
per tweet the sheet collected with the search API.

Columns read: ``id_str``, ``from_user``, ``from_user_id_str``, ``text``, ``created_at`` (v1.1:
``Fri Oct 16 18:04:38 +0000 2020``), ``in_reply_to_status_id_str``, ``in_reply_to_user_id_str``,
``user_followers_count`` (a number, ``229`` or ``229.0`` as Sheets writes it; an empty cell is
0: TAGS writes every falsy value as an empty cell, and the API always gives the count),
``entities_str`` (the tweet's v1.1 ``entities`` as JSON: ``user_mentions``) and ``status_url``;
any other column is ignored. ``user_lang`` is the account's language, not the tweet's: not read
(the language is detected). A TAGS row names no retweeted tweet: a text starting ``RT @`` is a
repost without ``reposted_id``, as in a personal archive.
"""

from __future__ import annotations

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
from pipelines.formats.x_archive import mentions_of, v11_datetime

REQUIRED = ("id_str", "from_user", "from_user_id_str", "text", "created_at")
OPTIONAL = ("in_reply_to_status_id_str", "in_reply_to_user_id_str", "user_followers_count", "entities_str",
            "status_url")


def read_tags(path: Path) -> ReadResult:
    """Read a TAGS ``Archive`` sheet saved as CSV into canonical rows."""
    rows, cut_off = read_csv_columns(path, "a TAGS archive sheet", REQUIRED, OPTIONAL, verbatim=("text",),
                                     empty_is_zero=("user_followers_count",))
    rows = rows.with_columns(
        id_text("from_user_id_str").alias("author_id"),
        id_text("in_reply_to_status_id_str").alias("parent"),
        id_text("in_reply_to_user_id_str").alias("in_reply_to_author_id"),
    )
    rows = rows.with_columns(v11_datetime(pl.col("created_at")).alias("parsed_at"))
    checked = rows.with_columns(
        pl.when(pl.col("id_str").is_null()).then(pl.lit("missing required field: id_str"))
        .when(~pl.col("id_str").str.contains(r"^\d+$")).then(invalid_id("id_str"))
        .when(pl.col("from_user_id_str").is_null()).then(pl.lit("missing required field: from_user_id_str"))
        .when(pl.col("author_id").is_null()).then(invalid_id("from_user_id_str"))
        .when(pl.col("created_at").is_null()).then(pl.lit("missing required field: created_at"))
        .when(pl.col("parsed_at").is_null()).then(pl.format("invalid created_at: {}", "created_at"))
        .when(pl.col("text").is_null()).then(pl.lit("missing required field: text"))
        .alias("reason")
    )
    bad = checked.filter(pl.col("reason").is_not_null()).select(
        "position", "reason",
        pl.concat_str(pl.col(*REQUIRED).fill_null(""), separator=",").alias("excerpt"),
    )
    good = checked.filter(pl.col("reason").is_null())
    notes = lost_id_notes(good, ("in_reply_to_status_id_str", "in_reply_to_user_id_str"))
    messages = good.select(
        x_id("id_str").alias("message_id"),
        x_id("id_str").alias("version_id"),
        pl.lit("x").alias("platform"),
        pl.col("id_str").alias("native_id"),
        pl.when(pl.col("text").str.starts_with("RT @")).then(pl.lit("repost")).otherwise(pl.lit("post")).alias("kind"),
        x_id("parent").alias("parent_id"),
        pl.col("author_id"),
        pl.col("from_user").alias("author_handle"),
        pl.col("user_followers_count").cast(pl.Float64, strict=False).cast(pl.Int64, strict=False)
        .alias("author_followers"),
        pl.col("in_reply_to_author_id"),
        pl.col("entities_str").map_elements(_mentions, return_dtype=pl.List(pl.String))
        .fill_null(pl.lit([], pl.List(pl.String))).alias("mentions"),
        pl.col("parsed_at").alias("created_at"),
        x_text(pl.col("text")).alias("text"),
        pl.coalesce(
            pl.col("status_url"),
            pl.concat_str([pl.lit("https://x.com/"), pl.col("from_user"), pl.lit("/status/"), pl.col("id_str")]),
        ).alias("url"),
        pl.col("position"),
    )
    return result(messages, pl.concat([bad, cut_off], how="vertical_relaxed"), notes)


def _mentions(entities: str) -> list[str]:
    """The accounts mentioned in a tweet's entities JSON (``user_mentions``), as a personal archive's."""
    try:
        parsed = json.loads(entities)
    except ValueError:
        return []
    return mentions_of(parsed, "user_mentions", "screen_name", "id_str")
