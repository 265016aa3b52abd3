"""The canonical message schema: what every archive format is mapped into.

One row per record of an archive (a post, reply, comment, or repost). Rows are not yet
deduplicated or attributed to brands: the dbt staging layer does that, so that the lake
keeps exactly what each file said.

Ids are namespaced: ``message_id = '<platform>:<native id>'`` (twcs: ``x:twcs:<id>``).
"""

from __future__ import annotations

from datetime import date

import polars as pl

PLATFORMS = ("x", "bluesky", "facebook", "blog")
#: The first day a message may carry: the first blogs' comments. An earlier timestamp is a
#: placeholder (an epoch-zero or default date), quarantined at ingest; the warehouse's monthly
#: partitions start here too.
EARLIEST_DAY = date(2000, 1, 1)
KINDS = ("post", "repost", "delete", "profile")

#: column -> (polars dtype, meaning). The order is the order written to the lake.
MESSAGE_COLUMNS: dict[str, tuple[pl.DataType, str]] = {
    "message_id": (pl.String, "'<platform>:<native id>' of the message; for an edit, of its first version"),
    "version_id": (pl.String, "'<platform>:<native id>' of this version (= message_id unless edited)"),
    "platform": (pl.String, "x | bluesky | facebook | blog"),
    "native_id": (pl.String, "the source's own id of the message (first version)"),
    "kind": (pl.String, "'post' (a message), 'repost' (amplification, not a message), 'delete' (the source "
             "says message_id was deleted) or 'profile' (an account's handle/followers, not a message)"),
    "conversation_id": (pl.String, "thread id given by the source (namespaced), NULL when it gives none"),
    "parent_id": (pl.String, "message replied to (namespaced; may name an edited version)"),
    "quoted_id": (pl.String, "message quoted (namespaced)"),
    "reposted_id": (pl.String, "for a repost, the message it repeats (namespaced)"),
    "author_id": (pl.String, "the source's id of the author (user id, DID, page id, author name)"),
    "author_handle": (pl.String, "the author's handle or display name, as the source gives it"),
    "author_followers": (pl.Int64, "follower count the source gives for the author; NULL, never 0, if none"),
    "in_reply_to_author_id": (pl.String, "the source's id of the author replied to, when it gives one"),
    "mentions": (pl.List(pl.String), "accounts mentioned (handles lower-cased without '@', or ids)"),
    "thread_owner": (pl.String, "account owning the post or page a comment belongs to (blog, facebook)"),
    "created_at": (pl.Datetime("us", "UTC"), "when this version was posted, UTC"),
    "text": (pl.String, "text of this version"),
    "lang": (pl.String, "language given by the source or detected (ISO 639: two letters where ISO 639-1 has one)"),
    "url": (pl.String, "link to the original, when the source gives one"),
    "deleted": (pl.Boolean, "the source marks the post as deleted (NULL when it does not say)"),
    "archive_sha256": (pl.String, "content hash of the archive file the row came from"),
    "position": (pl.Int64, "record number of the row within its archive file (0-based)"),
}

MESSAGE_SCHEMA: dict[str, pl.DataType] = {name: dtype for name, (dtype, _) in MESSAGE_COLUMNS.items()}

#: Classification columns added by pipelines.classify before the lake write.
CLASSIFICATION_COLUMNS: dict[str, tuple[pl.DataType, str]] = {
    "sentiment": (pl.String, "positive | neutral | negative"),
    "sentiment_score": (pl.Float64, "P(positive) - P(negative) of the sentiment classifier, in [-1, 1]"),
    "intent": (pl.String, "complaint | question | praise | other (used for a case's opening message)"),
    "intent_confidence": (pl.Float64, "probability the intent classifier gives the chosen intent"),
    "is_thanks": (pl.Boolean, "the message thanks or says the problem is solved"),
    "deflection": (pl.String, "channel a reply pushes to: dm | phone | email | web | store; NULL if none"),
    "signoff": (pl.String, "agent sign-off found at the end of the text (^JK, -Becky), NULL if none"),
    "canned_text": (pl.String, "normalised text used to detect canned replies"),
    "clauses": (
        pl.List(pl.Struct({"text": pl.String, "sentiment": pl.String, "sentiment_score": pl.Float64})),
        "NULL for a text of one clause; else each clause (lower case, accents folded, @handles "
        "kept; split at contrast words and sentence ends) with its own sentiment and score",
    ),
}

LAKE_SCHEMA: dict[str, pl.DataType] = {
    **MESSAGE_SCHEMA,
    **{name: dtype for name, (dtype, _) in CLASSIFICATION_COLUMNS.items()},
}

QUARANTINE_SCHEMA: dict[str, pl.DataType] = {
    "archive_sha256": pl.String,
    "position": pl.Int64,
    "reason": pl.String,
    "excerpt": pl.String,
}

EXCERPT_CHARS = 500


def empty_messages() -> pl.DataFrame:
    """An empty frame with the canonical message schema."""
    return pl.DataFrame(schema=MESSAGE_SCHEMA)


def conform(frame: pl.DataFrame) -> pl.DataFrame:
    """Add missing canonical columns as NULL and order/cast columns as MESSAGE_SCHEMA says."""
    missing = [pl.lit(None, dtype).alias(name) for name, dtype in MESSAGE_SCHEMA.items() if name not in frame.columns]
    return frame.with_columns(missing).select(
        [pl.col(name).cast(dtype) for name, dtype in MESSAGE_SCHEMA.items()]
    )
