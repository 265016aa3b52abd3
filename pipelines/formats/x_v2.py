"""X API v2 response pages (JSON, JSON lines of pages) and JSON lines of bare tweet objects.

Shapes: a search/timeline page ``{"data": [tweet...], "includes": {"tweets", "users"}, "meta"}``,
a filtered-stream message ``{"data": tweet, "includes": ..., "matching_rules": ...}`` (what
``twarc2 filter`` and ``twarc2 sample`` write, one per line), or a bare tweet object (as ``twarc2 flatten`` writes
it, with the tweets it refers to whole inside ``referenced_tweets``, read as records too). A file is
one JSON document (a page, or an array of them) or JSON lines of any of these shapes; in JSON
lines a line that is not JSON is one quarantined record, ``not valid JSON (line N)``, and the
other lines load.

Parsed with DuckDB's JSON functions: measured on nested tweet JSON it is several times faster
than Polars' ``read_ndjson``, and keeping each tweet as a JSON value lets a malformed record
be quarantined alone instead of failing the file's schema inference. :func:`read_x_v2_many`
reads many files in one statement (a per-file statement costs more than the parsing of a
page of 100 tweets).
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from pipelines.canonical import MESSAGE_SCHEMA
from pipelines.formats.base import (
    LINES_SQL,
    ReadResult,
    duckdb_session,
    json_sources,
    result,
    rows_by_file,
    x_id,
    x_profile,
    x_text,
)
from pipelines.formats.decode import head_bytes

ISO_UTC = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)$"

#: JSON documents: one record per top-level value (an array's elements are values).
_DOCUMENTS = """
select filename, row_number() over () as rec_no, null::bigint as line_no, json::varchar as line, true as valid
from read_json_objects($documents, format = 'auto', maximum_object_size = $max_object, filename = true)
"""

#: JSON lines: one record per non-blank line, valid JSON or not.
_JSON_LINES = f"""
select filename, line_no as rec_no, line_no, line, json_valid(line) as valid
from ({LINES_SQL.replace("$paths", "$json_lines")})
where not blank
"""

#: a page's includes saved alone, ``{"users": [...], "tweets": [...]}`` (academictwitteR's
#: ``users_<id>.json`` beside the page's ``data_<id>.json``): SQL over ``obj``
_INCLUDES_ONLY = """(json_type(obj) = 'OBJECT' and not json_exists(obj, '$.data') and not json_exists(obj, '$.includes')
    and not json_exists(obj, '$.meta') and not json_exists(obj, '$.id')
    and (json_type(obj, '$.users') = 'ARRAY' or json_type(obj, '$.tweets') = 'ARRAY'))"""

_OBJECTS = """
with parsed_lines as (
    -- the line itself is kept only when it is not JSON (its excerpt): a page is large
    select filename, rec_no, line_no, case when not valid then line end as line,
           case when valid then line::json end as obj
    from ({source})
),
objs as (
    select *, coalesce(""" + _INCLUDES_ONLY + """, false) as includes_only from parsed_lines
)"""

_TWEETS = _OBJECTS + """,
records as (
    -- a page holds tweets in data and includes.tweets, a stream message one tweet in data;
    -- a bare tweet object is its own record; a line that is not JSON is a record of its own
    select filename, rec_no, line_no, line, obj is null as not_json, 0 as section,
           case when obj is null then [null::json]
                when json_type(obj, '$.data') = 'ARRAY' then (obj -> '$.data')::json[]
                when json_type(obj, '$.data') = 'OBJECT' then [obj -> '$.data']
                -- a data that is neither (a string, a number): one record, quarantined as what it is not
                when json_type(obj, '$.data') not in ('NULL', 'ARRAY', 'OBJECT') then [obj -> '$.data']
                when json_exists(obj, '$.data') or json_exists(obj, '$.meta') or json_exists(obj, '$.includes')
                    or includes_only then []::json[]
                else [obj] end as tweets
    from objs
    union all
    select filename, rec_no, line_no, line, false, 1,
           coalesce(try_cast(obj -> '$.includes.tweets' as json[]),
                    case when includes_only then try_cast(obj -> '$.tweets' as json[]) end, []::json[])
    from objs
    union all
    -- a tweet `twarc2 flatten` wrote carries the tweets it refers to inside referenced_tweets
    -- (whole, with their author), where a page has them in includes.tweets
    select filename, rec_no, line_no, line, false, 2,
           list_filter(coalesce(try_cast(obj -> '$.referenced_tweets' as json[]), []::json[]),
                       lambda r: json_exists(r, '$.text') and json_exists(r, '$.author_id'))
    from objs
    where obj is not null and not json_exists(obj, '$.data')
),
tweets as (
    select filename, rec_no, line_no, line, not_json, section, unnest(tweets) as t, generate_subscripts(tweets, 1) as i
    from records
),
numbered as (
    select filename, rec_no, (row_number() over (partition by filename order by rec_no, section, i)) - 1 as position,
           line_no, line, not_json, t
    from tweets
),
-- a tweet's author as its own page lists them: the follower count of when that page was fetched
-- (QA: one value per file, whichever page came last, gave a page of March the count of January:
-- tools write a search's pages newest first); a page that lists no profile of the author gives
-- none (int_author_profiles takes the newest count any row gives)
users as (
    select filename, rec_no, u ->> 'id' as user_id, last(u ->> 'username') as username,
           last(try_cast(u -> '$.public_metrics.followers_count' as bigint)) as followers
    from (select filename, rec_no,
                 unnest(coalesce(try_cast(obj -> '$.includes.users' as json[]),
                                 case when includes_only then try_cast(obj -> '$.users' as json[]) end,
                                 []::json[])) as u
          from objs)
    where u ->> 'id' is not null
    group by all
),
parsed as (
    -- each tweet parsed once into the fields read below, every leaf kept as JSON: ->> '$' on
    -- a leaf gives what ->> 'key' on the tweet would (docs/design.md, "A tweet is parsed once")
    select filename, rec_no, position, line_no, line, not_json, t, json_type(t) as t_type,
        json_transform(t, '{{"id": "JSON", "author_id": "JSON", "created_at": "JSON", "text": "JSON",
            "edit_history_tweet_ids": "JSON", "referenced_tweets": "JSON",
            "entities": {{"mentions": "JSON"}}, "conversation_id": "JSON", "in_reply_to_user_id": "JSON",
            "lang": "JSON", "author": {{"username": "JSON", "public_metrics": {{"followers_count": "JSON"}}}},
            "note_tweet": {{"text": "JSON", "entities": {{"mentions": "JSON"}}}}}}') as s
    from numbered
),
referencing as (
    select *, try_cast(s.referenced_tweets as json[]) as refs from parsed
),
fields as (
    select filename, rec_no, position, line_no, line, not_json, t, t_type,
        s.id ->> '$' as id,
        s.author_id ->> '$' as author_id,
        s.created_at ->> '$' as created_raw,
        -- a long post's full text and mentions are its note_tweet's (tweet.fields=note_tweet);
        -- text holds its first 280 characters
        coalesce(case when json_type(s.note_tweet.text) = 'VARCHAR' then nullif(s.note_tweet.text ->> '$', '') end,
                 s.text ->> '$') as text,
        json_type(s.text) as text_type,
        coalesce(s.edit_history_tweet_ids ->> '$[0]', s.id ->> '$') as original_id,
        list_filter(refs, lambda r: r ->> 'type' = 'replied_to')[1] ->> 'id' as replied_to,
        list_filter(refs, lambda r: r ->> 'type' = 'quoted')[1] ->> 'id' as quoted,
        list_filter(refs, lambda r: r ->> 'type' = 'retweeted')[1] ->> 'id' as retweeted,
        list_concat(
            coalesce(list_transform(json_extract_string(coalesce(s.note_tweet.entities.mentions, s.entities.mentions),
                                                        '$[*].username'), lambda h: lower(h)), []),
            coalesce(json_extract_string(coalesce(s.note_tweet.entities.mentions, s.entities.mentions), '$[*].id'), [])
        ) as mentions,
        s.conversation_id ->> '$' as conversation,
        s.in_reply_to_user_id ->> '$' as in_reply_to_user_id,
        s.lang ->> '$' as lang,
        -- a tweet flattened by `twarc2 flatten` carries its author's user object itself
        s.author.username ->> '$' as own_username,
        try_cast(s.author.public_metrics.followers_count ->> '$' as bigint) as own_followers
    from referencing
),
checked as (
    select *,
        case
            when not_json then 'not valid JSON (line ' || line_no || ')'
            when t_type is distinct from 'OBJECT' then 'record is not a JSON object'
            when id is null then 'missing required field: id'
            when not regexp_full_match(id, '[0-9]+') then 'invalid id: ' || id
            when author_id is null then 'missing required field: author_id'
            when created_raw is null then 'missing required field: created_at'
            when not regexp_full_match(created_raw, $iso) or try_cast(created_raw as timestamptz) is null
                then 'invalid created_at: ' || created_raw
            when retweeted is null and text is null then 'missing required field: text'
            when text_type is distinct from 'VARCHAR' and retweeted is null then 'text is not a string'
        end as reason
    from fields
)
select c.* exclude (rec_no, line, t, own_username, own_followers),
       case when c.not_json then c.line else c.t::varchar end as excerpt,
       coalesce(u.username, c.own_username) as username, coalesce(u.followers, c.own_followers) as followers
from checked c left join users u on u.filename = c.filename and u.rec_no = c.rec_no and u.user_id = c.author_id
order by c.filename, c.position
"""


#: the users of includes saved alone, as profile rows (the page's tweets are in another file)
_PROFILES = _OBJECTS + """,
users as (
    select filename, rec_no, unnest(try_cast(obj -> '$.users' as json[])) as u,
           generate_subscripts(try_cast(obj -> '$.users' as json[]), 1) as i
    from objs
    where includes_only
)
select filename, u ->> 'id' as id, u ->> 'username' as username,
       try_cast(u -> '$.public_metrics.followers_count' as bigint) as followers, u ->> 'created_at' as created_raw,
       u::varchar as excerpt
from users
order by filename, rec_no, i
"""
#: the start of a file of includes saved alone (:data:`_INCLUDES_ONLY`)
INCLUDES_ONLY_HEAD = re.compile(r'\s*\{\s*"(?:users|tweets|places|media|polls|topics)"\s*:\s*\[')


def read_x_v2(path: Path) -> ReadResult:
    """Read an X API v2 page file (or JSON lines of pages, stream messages or tweets) into canonical rows."""
    return read_x_v2_many([path])[0]


def read_x_v2_many(paths: list[Path]) -> list[ReadResult]:
    """Read many X API v2 files in one DuckDB statement; one result per path, in order.

    One unreadable document fails the statement (ArchiveError): read the files one by one
    then, to reject only that file.
    """
    source, files = json_sources(paths, _DOCUMENTS, _JSON_LINES)
    # includes saved alone hold the page's users: read again, as profile rows, from those files only
    alone = [p for p in paths
             if INCLUDES_ONLY_HEAD.match(head_bytes(p).decode("utf-8", "replace").lstrip("\ufeff"))]
    with duckdb_session("X API v2 JSON") as con:
        rows = con.sql(_TWEETS.format(source=source), params={"iso": ISO_UTC} | files).pl()
        if alone:
            alone_source, alone_files = json_sources(alone, _DOCUMENTS, _JSON_LINES)
            users = con.sql(_PROFILES.format(source=alone_source), params=alone_files).pl()
        else:
            users = None
    return [
        _to_canonical(file_rows, None if users is None else users.filter(pl.col("filename") == str(path)))
        for path, file_rows in zip(paths, rows_by_file(rows, paths), strict=True)
    ]


def _profiles(users: pl.DataFrame, first_position: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(profile rows, quarantine) of the users of includes saved alone, numbered from
    ``first_position``: a user's handle and follower count, for the tweets of the page's other
    file, which name their authors by id only; ``created_at`` is the account's."""
    users = users.with_row_index("position", offset=first_position).with_columns(
        pl.col("position").cast(pl.Int64),
        created_at=pl.col("created_raw").str.to_datetime(time_zone="UTC", time_unit="us", strict=False),
    ).with_columns(
        reason=pl.when(pl.col("id").is_null() | ~pl.col("id").str.contains(r"^[0-9]+$")).then(
            pl.lit("missing required field: id (of a user)"))
        .when(pl.col("username").is_null()).then(pl.lit("missing required field: username (of a user)"))
        .when(pl.col("created_at").is_null()).then(
            pl.lit("missing required field: created_at (of a user: user.fields=created_at)"))
    )
    profiles = pl.DataFrame([
        {**x_profile(user["id"], user["username"]), "author_followers": user["followers"],
         "created_at": user["created_at"], "position": user["position"]}
        for user in users.filter(pl.col("reason").is_null()).iter_rows(named=True)
    ], schema=MESSAGE_SCHEMA)
    return profiles, users.filter(pl.col("reason").is_not_null()).select("position", "reason", "excerpt")


def _to_canonical(rows: pl.DataFrame, users: pl.DataFrame | None = None) -> ReadResult:
    bad = rows.filter(pl.col("reason").is_not_null())
    good = rows.filter(pl.col("reason").is_null())
    messages = good.select(
        x_id("original_id").alias("message_id"),
        x_id("id").alias("version_id"),
        pl.lit("x").alias("platform"),
        pl.col("original_id").alias("native_id"),
        pl.when(pl.col("retweeted").is_not_null()).then(pl.lit("repost")).otherwise(pl.lit("post")).alias("kind"),
        x_id("conversation").alias("conversation_id"),
        x_id("replied_to").alias("parent_id"),
        x_id("quoted").alias("quoted_id"),
        x_id("retweeted").alias("reposted_id"),
        pl.col("author_id"),
        pl.col("username").alias("author_handle"),
        pl.col("followers").alias("author_followers"),
        pl.col("in_reply_to_user_id").alias("in_reply_to_author_id"),
        pl.col("mentions").list.unique(maintain_order=True),  # handles, then ids, each once
        pl.col("created_raw").str.to_datetime(time_zone="UTC", time_unit="us").alias("created_at"),
        x_text(pl.col("text")).alias("text"),
        pl.col("lang"),
        pl.concat_str(
            [pl.lit("https://x.com/"), pl.col("username").fill_null("i/web"), pl.lit("/status/"), pl.col("id")]
        ).alias("url"),
        pl.col("position"),
    )
    quarantine = bad.select(pl.col("position"), pl.col("reason"), pl.col("excerpt"))
    if users is not None and users.height:
        profiles, unread = _profiles(users, rows.height)
        messages = pl.concat([messages, profiles], how="diagonal_relaxed")
        quarantine = pl.concat([quarantine, unread], how="diagonal_relaxed")
    return result(messages, quarantine)
