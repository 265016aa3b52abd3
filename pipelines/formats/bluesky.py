"""Bluesky: Jetstream event streams (JSON lines) and plain post records or post views (JSON).

Accepted shapes, record by record (a file may mix them):

- Jetstream events ``{"did", "time_us", "kind", "commit" | "identity" | "account"}``.
  ``app.bsky.feed.post`` commits: ``create`` is a post row, ``update`` another version row
  of the same message (``version_id = 'bluesky:<did>/<rkey>@<cid>'``, ``created_at`` =
  ``time_us``, when that version was posted), ``delete`` a row of kind ``delete``
  (``version_id = 'bluesky:<did>/<rkey>@delete'``, ``created_at`` = ``time_us``).
  ``app.bsky.feed.repost`` creates are ``repost`` rows (``message_id =
  'bluesky:repost:<did>/<rkey>'``). Identity events are ``profile`` rows
  (``message_id = 'bluesky:profile:<did>'``) and also give the handle of the DID's posts
  in the same file. Other collections (likes, follows...) and account events are not
  messages: they go to quarantine as ``excluded: <collection or kind>``.
- ``com.atproto.repo.listRecords`` records ``{"uri", "cid", "value"}``, bare or in a
  ``{"records": [...]}`` page.
- Post views ``{"uri", "cid", "author", "record", "indexedAt"}``, bare, in a ``{"posts":
  [...]}`` page (searchPosts), or as feed/thread items ``{"post": view, "reply": {"root":
  view, "parent": view}}`` (a ``{"feed": [...]}`` page); the root and parent views of a feed
  item are records of their own, placed right after their item, and so is the repost of an
  item reposted by someone (``reason``: ``reasonRepost``, as author feeds and timelines show a
  reposter's reposts): a ``repost`` row by ``reason.by`` at ``reason.indexedAt``, its id the
  repost record's (``reason.uri``), or, where the view gives none, ``bluesky:repost:<reposter
  did>/<post did>:<post rkey>``. The author's handle and follower count come with the view.
- Notifications (``app.bsky.notification.listNotifications``): ``{"notifications": [...]}``,
  each a view of the record that notifies (a mention, reply or quote is a post; a like or a
  follow is quarantined as ``excluded:``; a repost is a repost).
- Threads (``app.bsky.feed.getPostThread``): ``{"thread": threadViewPost}`` or a bare
  threadViewPost; every post view of the tree (the post, its ``parent`` chain, its ``replies``
  at any depth) is a record. Nodes without a post (not found, blocked) hold no record.
- The posts a view quotes, held whole in its embeds (``app.bsky.embed.record#viewRecord``, in a
  ``record#view`` or ``recordWithMedia#view``; in a feed item's reply root and parent too, and
  a quote of a quote), are records of their own after the view.

A post ``at://<did>/app.bsky.feed.post/<rkey>`` is the message ``bluesky:<did>/<rkey>``; its
conversation is its ``reply.root`` (its own id when it is not a reply), its parent
``reply.parent`` and ``in_reply_to_author_id`` the parent's DID. Mentions are the DIDs of
mention facets plus the handles those facets cover in the text (UTF-8 byte offsets),
lower-cased without ``@``. ``createdAt`` must carry a zone.

JSON lines are read line by line with DuckDB (a line that is not JSON is quarantined
alone); a JSON document (array or page) is read with DuckDB's JSON reader. No per-record
Python: Jetstream files are large. :func:`read_bluesky_many` reads many files in one
statement (ingest's groups), each file's records numbered and its identity handles applied
on their own.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from pipelines.formats.base import LINES_SQL, ReadResult, duckdb_session, json_sources, result, rows_by_file

ISO_ZONED = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|z|[+-]\d\d:?\d\d)$"
ISO_NAIVE = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$"

POST = "app.bsky.feed.post"
REPOST = "app.bsky.feed.repost"
THREAD_VIEW = "app.bsky.feed.defs#threadViewPost"
REASON_REPOST = "app.bsky.feed.defs#reasonRepost"
VIEW_RECORD = "app.bsky.embed.record#viewRecord"

_LINES = f"""
select filename, line_no as rec_no, line, blank from ({LINES_SQL.replace("$paths", "$json_lines")})
"""

_DOCUMENTS = """
select filename, row_number() over () as rec_no, json::varchar as line, false as blank
from read_json_objects($documents, format = 'auto', maximum_object_size = $max_object, filename = true)
"""

_MACROS = """
create or replace temp macro bsky_post_ref(u) as
    'bluesky:' || nullif(regexp_replace(u, '^at://([^/]+)/app\\.bsky\\.feed\\.post/([^/?#]+)$', '\\1/\\2'), u);
create or replace temp macro bsky_uri_did(u) as nullif(regexp_extract(u, '^at://([^/]+)/[^/]+/[^/]+$', 1), '');
create or replace temp macro bsky_uri_collection(u) as nullif(regexp_extract(u, '^at://[^/]+/([^/]+)/[^/]+$', 1), '');
create or replace temp macro bsky_uri_rkey(u) as nullif(regexp_extract(u, '^at://[^/]+/[^/]+/([^/]+)$', 1), '');
"""

_EVENT = json.dumps({
    "did": "VARCHAR", "time_us": "BIGINT", "kind": "VARCHAR",
    "commit": {"operation": "VARCHAR", "collection": "VARCHAR", "rkey": "VARCHAR", "cid": "VARCHAR", "record": "JSON"},
    "identity": {"did": "VARCHAR", "handle": "VARCHAR"},
    "uri": "VARCHAR", "cid": "VARCHAR", "value": "JSON", "record": "JSON", "post": "JSON",
    "author": {"did": "VARCHAR", "handle": "VARCHAR", "followersCount": "BIGINT"},
})
_VIEW = json.dumps({
    "uri": "VARCHAR", "cid": "VARCHAR", "record": "JSON",
    "author": {"did": "VARCHAR", "handle": "VARCHAR", "followersCount": "BIGINT"},
})
_POST_RECORD = json.dumps({
    "text": "JSON", "createdAt": "VARCHAR", "langs": ["VARCHAR"],
    "reply": {"root": {"uri": "VARCHAR"}, "parent": {"uri": "VARCHAR"}},
    "embed": {"$type": "VARCHAR", "record": {"uri": "VARCHAR", "record": {"uri": "VARCHAR"}}},
    "subject": {"uri": "VARCHAR"},
    "facets": [{"index": {"byteStart": "BIGINT", "byteEnd": "BIGINT"},
                "features": [{"$type": "VARCHAR", "did": "VARCHAR"}]}],
})

# Each JSON value is parsed once into a typed struct (json_transform): Jetstream files are large.
_RECORDS = """
with objs as (
    select filename, rec_no, line, case when json_valid(line) then line::json end as obj
    from ({source})
    where line is not null and not blank
),
pages as (
    select filename, rec_no, line, obj, obj is null as not_json,
           case when starts_with(ltrim(line), '{{')
                then json_transform(obj, '{{"records": "JSON[]", "feed": "JSON[]", "posts": "JSON[]",
                                           "notifications": "JSON[]", "thread": "JSON", "$type": "VARCHAR"}}')
           end as page
    from objs
),
items as (
    -- a listRecords, searchPosts, feed or notifications page holds its records in an array (a
    -- notification is a view of the record that notifies: a post, a like, a follow), a thread (getPostThread:
    -- {{"thread": threadViewPost}}, or a bare threadViewPost) the post views of its tree, the post,
    -- its parents and its replies at any depth ("post" of every node; a node without one, not found
    -- or blocked, holds no post); anything else is one record
    select filename, rec_no, line, not_json, obj,
           coalesce(page.records, page.feed, page.posts, page.notifications, nullif(thread_posts, [])) as listed
    from (
        -- "post" keys hold post views in a thread's nodes, and strings elsewhere (a threadgate's
        -- record.post): the views only. A thread without one (a string, a post not found) is one
        -- record, quarantined as what it is not
        select *, list_filter(
            json_extract(coalesce(page.thread, case when page."$type" = $thread_view then obj end), '$..post'),
            lambda p: json_type(p) = 'OBJECT' and json_exists(p, '$.uri') and json_exists(p, '$.record')
        ) as thread_posts
        from pages
    )
),
unnested as (
    select filename, rec_no, line, not_json, listed is not null as in_page,
           unnest(coalesce(listed, [obj])) as r,
           generate_subscripts(coalesce(listed, [obj]), 1) as i
    from items
),
with_views as (
    select filename, rec_no, line, not_json, i, 0 as section, r from unnested
    union all
    -- a feed item's reply.root and reply.parent are full post views: posts of their own, in a
    -- feed page or saved alone (a bare item, an array or JSON lines of items: QA, archivers)
    select filename, rec_no, null, false, i, 1, r -> '$.reply.root' from unnested
    where json_exists(r, '$.post') and json_exists(r, '$.reply.root.record')
    union all
    select filename, rec_no, null, false, i, 2, r -> '$.reply.parent' from unnested
    where json_exists(r, '$.post') and json_exists(r, '$.reply.parent.record')
    union all
    -- a feed item that someone reposted (an author feed or a timeline shows the reposter's
    -- reposts) is that repost too: a view of the repost record, under its own uri when the
    -- reason gives one (reason.uri), else under one made of the reposter and the post
    select filename, rec_no, null, false, i, 3, json_object(
        'uri', coalesce(r ->> '$.reason.uri', 'at://' || (r ->> '$.reason.by.did') || '/' || $repost || '/'
                        || replace(substr(r ->> '$.post.uri', 6), '/' || $post || '/', ':')),
        'cid', r -> '$.reason.cid',
        'author', r -> '$.reason.by',
        'record', json_object('$type', $repost, 'createdAt', r -> '$.reason.indexedAt',
                              'subject', json_object('uri', r -> '$.post.uri', 'cid', r -> '$.post.cid')))
    from unnested
    where json_exists(r, '$.post') and r ->> '$.reason."$type"' = $reason_repost
    union all
    -- the posts a view quotes, which its embeds hold whole (a viewRecord: uri, cid, author,
    -- value), as X's includes.tweets hold a quoted tweet: posts of their own, wherever they
    -- sit (the embed of an item's post, of its reply root or parent, a quote of a quote)
    select filename, rec_no, null, false, i, 3 + j, json_object(  -- sections 4, 5...: in the order found
        'uri', q[j] -> '$.uri', 'cid', q[j] -> '$.cid', 'author', q[j] -> '$.author', 'record', q[j] -> '$.value')
    from (
        select filename, rec_no, i, q, generate_subscripts(q, 1) as j
        from (
            select filename, rec_no, i, list_filter(
                json_extract(r, '$..record'),
                lambda x: x ->> '$."$type"' = $view_record and x ->> '$.value."$type"' = $post) as q
            from unnested
            where not not_json and (in_page or json_exists(r, '$.embed') or json_exists(r, '$.post'))
        )
    )
),
numbered as (
    select filename, (row_number() over (partition by filename order by rec_no, i, section)) - 1 as position,
           rec_no, line, not_json, r,
           case when not not_json and starts_with(ltrim(r::varchar), '{{') then json_transform(r, $event) end as e
    from with_views
),
shaped as (
    select *,
        case when e is null then null
             when e.time_us is not null or e.kind is not null then 'event'
             when e.post is not null then 'item'
             when e.value is not null then 'record'
             when e.uri is not null and e.record is not null then 'view'
        end as shape
    from numbered
),
located as (
    select *,
        case when shape = 'item' then json_transform(e.post, $view) end as v
    from shaped
),
fields as (
    select filename, position, rec_no, line, not_json, r, e, shape,
        case shape when 'event' then 'commit.record' when 'record' then 'value'
                   when 'item' then 'post.record' else 'record' end as rec_field,
        case when shape = 'event' then e.kind else 'commit' end as event_kind,
        coalesce(v.uri, e.uri) as uri,
        case when shape = 'event' then coalesce(e.did, e.identity.did)
             else bsky_uri_did(coalesce(v.uri, e.uri)) end as did,
        case when shape = 'event' then e.commit.collection
             else bsky_uri_collection(coalesce(v.uri, e.uri)) end as collection,
        case when shape = 'event' then e.commit.rkey else bsky_uri_rkey(coalesce(v.uri, e.uri)) end as rkey,
        case when shape = 'event' then e.commit.operation else 'create' end as operation,
        case when shape = 'event' then e.commit.cid else coalesce(v.cid, e.cid) end as cid,
        case shape when 'event' then e.commit.record when 'record' then e.value
                   when 'item' then v.record else e.record end as rec,
        e.time_us,
        case when shape = 'event' then e.identity.handle else coalesce(v.author.handle, e.author.handle) end as handle,
        coalesce(v.author.followersCount, e.author.followersCount) as followers
    from located
),
record_fields as (
    select *,
        starts_with(rec::varchar, '{{') as rec_is_object,
        json_transform(rec, $post_record) as pr
    from fields
),
checked as materialized (
    select filename, position, rec_no, line, not_json, r, event_kind, did, collection, rkey, operation, cid, time_us,
        handle, followers,
        json_extract_string(pr.text, '$') as text,
        pr.createdAt as created_raw,
        pr.langs[1] as lang,
        pr.reply.root.uri as root_uri,
        pr.reply.parent.uri as parent_uri,
        case pr.embed."$type"
            when 'app.bsky.embed.record' then pr.embed.record.uri
            when 'app.bsky.embed.recordWithMedia' then pr.embed.record.record.uri
        end as quote_uri,
        pr.subject.uri as subject_uri,
        list_filter(coalesce(pr.facets, []), lambda f: list_bool_or(list_transform(coalesce(f.features, []),
            lambda x: x."$type" = 'app.bsky.richtext.facet#mention'))) as mention_facets,
        case
            when not_json then 'not valid JSON (line ' || rec_no || ')'
            when e is null then 'record is not a JSON object'
            when shape is null and json_exists(r, '$.value') and e.uri is not null
                then 'missing required field: value (the record of ' || e.uri || ')'
            when shape is null
                then 'not a Bluesky record: neither a Jetstream event, a listRecords record nor a post view'
            when shape = 'event' and event_kind is null then 'missing required field: kind'
            when shape = 'event' and event_kind = 'account' then 'excluded: account'
            when shape = 'event' and event_kind not in ('commit', 'identity') then 'unknown kind: ' || event_kind
            when shape <> 'event' and uri is null then 'missing required field: uri'
            when shape <> 'event' and did is null then 'invalid uri: ' || uri
            when did is null then 'missing required field: did'
            when event_kind = 'identity' and time_us is null then 'missing required field: time_us'
            when event_kind = 'identity' and handle is null then 'missing required field: identity.handle'
            when event_kind = 'identity' then null
            when collection is null then 'missing required field: commit.collection'
            when collection not in ($post, $repost) then 'excluded: ' || collection
            when rkey is null then 'missing required field: commit.rkey'
            when operation is null then 'missing required field: commit.operation'
            when operation not in ('create', 'update', 'delete') then 'unknown commit.operation: ' || operation
            when collection = $repost and operation <> 'create' then 'excluded: ' || collection || ' ' || operation
            when operation in ('update', 'delete') and time_us is null then 'missing required field: time_us'
            when operation = 'delete' then null
            when operation = 'update' and cid is null then 'missing required field: commit.cid'
            when not coalesce(rec_is_object, false) then 'missing required field: ' || rec_field
            when collection = $post and pr.text is null then 'missing required field: ' || rec_field || '.text'
            when collection = $post and json_type(pr.text) <> 'VARCHAR' then rec_field || '.text is not a string'
            when collection = $repost and pr.subject.uri is null
                then 'missing required field: ' || rec_field || '.subject.uri'
            when pr.createdAt is null then 'missing required field: ' || rec_field || '.createdAt'
            when regexp_full_match(pr.createdAt, $naive)
                then 'timestamp without zone in ' || rec_field || '.createdAt: ' || pr.createdAt
            when not regexp_full_match(pr.createdAt, $zoned) or try_cast(pr.createdAt as timestamptz) is null
                then 'invalid ' || rec_field || '.createdAt: ' || pr.createdAt
        end as reason
    from record_fields
),
identity_handles as (
    select filename, did, arg_max(handle, position) as identity_handle
    from checked
    where reason is null and event_kind = 'identity'
    group by filename, did
)
select
    c.filename,
    c.position,
    c.reason,
    case when c.not_json then c.line else c.r::varchar end as excerpt,
    case when c.event_kind = 'identity' then 'profile'
         when c.collection = $repost then 'repost'
         when c.operation = 'delete' then 'delete'
         else 'post' end as kind,
    c.did, c.rkey, c.operation, c.cid,
    coalesce(c.handle, h.identity_handle) as author_handle,
    c.followers as author_followers,
    case when c.event_kind = 'identity' or c.operation <> 'create' then make_timestamp(c.time_us)::timestamptz
         else try_cast(c.created_raw as timestamptz) end as created_at,
    case when c.collection = $post and c.operation <> 'delete' then c.text end as text,
    c.lang,
    case when c.root_uri is null and c.parent_uri is null then null else bsky_post_ref(c.root_uri) end as root_id,
    bsky_post_ref(c.parent_uri) as parent_id,
    bsky_uri_did(c.parent_uri) as parent_did,
    bsky_post_ref(c.quote_uri) as quoted_id,
    bsky_post_ref(c.subject_uri) as reposted_id,
    list_filter(list_concat(
        -- the handle a mention facet covers (UTF-8 byte offsets, end exclusive), when it reads '@handle'
        list_transform(
            list_filter(
                list_transform(c.mention_facets,
                    lambda f: try(decode(encode(c.text)[f.index.byteStart + 1 : f.index.byteEnd]))),
                lambda s: starts_with(s, '@')),
            lambda s: lower(s[2:])),
        flatten(list_transform(c.mention_facets, lambda f: list_transform(
            list_filter(f.features, lambda x: x."$type" = 'app.bsky.richtext.facet#mention'),
            lambda x: lower(x.did))))
    ), lambda m: m is not null and m <> '') as mentions
from checked as c
left join identity_handles as h on h.filename = c.filename and h.did = c.did
order by c.filename, c.position
"""


def read_bluesky(path: Path) -> ReadResult:
    """Read a Bluesky Jetstream file, listRecords records or post views into canonical rows."""
    return read_bluesky_many([path])[0]


def read_bluesky_many(paths: list[Path]) -> list[ReadResult]:
    """Read many Bluesky files in one DuckDB statement (a statement costs some 40 ms to plan,
    as much as reading a thousand records); one result per path, in order. One unreadable
    document fails the statement (ArchiveError): read the files one by one then."""
    source, files = json_sources(paths, _DOCUMENTS, _LINES)
    params = {"post": POST, "repost": REPOST, "thread_view": THREAD_VIEW, "reason_repost": REASON_REPOST,
              "view_record": VIEW_RECORD,
              "naive": ISO_NAIVE, "zoned": ISO_ZONED,
              "event": _EVENT, "view": _VIEW, "post_record": _POST_RECORD}
    with duckdb_session("Bluesky JSON") as con:
        con.execute(_MACROS)
        rows = con.sql(_RECORDS.format(source=source), params=params | files).pl()
    return [_to_canonical(file_rows) for file_rows in rows_by_file(rows, paths)]


def _to_canonical(rows: pl.DataFrame) -> ReadResult:
    good = rows.filter(pl.col("reason").is_null())
    post_id = pl.lit("bluesky:") + pl.col("did") + pl.lit("/") + pl.col("rkey")
    native_id = (
        pl.when(pl.col("kind") == "profile").then(pl.lit("profile:") + pl.col("did"))
        .when(pl.col("kind") == "repost").then(pl.lit("repost:") + pl.col("did") + pl.lit("/") + pl.col("rkey"))
        .otherwise(pl.col("did") + pl.lit("/") + pl.col("rkey"))
    )
    is_post = pl.col("kind") == "post"
    messages = good.with_columns(native_id.alias("native_id")).select(
        (pl.lit("bluesky:") + pl.col("native_id")).alias("message_id"),
        pl.when(pl.col("operation") == "update").then(post_id + pl.lit("@") + pl.col("cid"))
        .when(pl.col("kind") == "delete").then(post_id + pl.lit("@delete"))
        .otherwise(pl.lit("bluesky:") + pl.col("native_id")).alias("version_id"),
        pl.lit("bluesky").alias("platform"),
        pl.col("native_id"),
        pl.col("kind"),
        pl.when(is_post).then(pl.coalesce("root_id", post_id)).alias("conversation_id"),
        pl.when(is_post).then(pl.col("parent_id")).alias("parent_id"),
        pl.when(is_post).then(pl.col("quoted_id")).alias("quoted_id"),
        pl.when(pl.col("kind") == "repost").then(pl.col("reposted_id")).alias("reposted_id"),
        pl.col("did").alias("author_id"),
        pl.col("author_handle"),
        pl.col("author_followers"),
        pl.when(is_post).then(pl.col("parent_did")).alias("in_reply_to_author_id"),
        pl.when(is_post)
        .then(pl.col("mentions").list.unique(maintain_order=True))
        .otherwise(pl.lit([], pl.List(pl.String)))
        .alias("mentions"),
        pl.col("created_at").dt.convert_time_zone("UTC"),
        pl.col("text"),
        pl.when(is_post).then(pl.col("lang")).alias("lang"),
        pl.when(is_post).then(pl.lit("https://bsky.app/profile/") + pl.col("did") + pl.lit("/post/") + pl.col("rkey"))
        .when(pl.col("kind") == "profile").then(pl.lit("https://bsky.app/profile/") + pl.col("did"))
        .alias("url"),
        pl.col("position"),
    )
    quarantine = rows.filter(pl.col("reason").is_not_null()).select("position", "reason", "excerpt")
    return result(messages, quarantine)
