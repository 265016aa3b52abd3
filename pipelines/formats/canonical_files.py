"""Canonical files: the message schema itself, as CSV, JSON lines or Parquet.

For any source brandcare has no reader for: convert it to this schema and ingest the file.
One row (one JSON object) per record; columns are named as in
``pipelines.canonical.MESSAGE_COLUMNS``:

========================  ========  ==========================================================
column                    required  meaning
========================  ========  ==========================================================
message_id                yes       ``'<platform>:<native id>'``; must start with its platform
platform                  yes       ``x``, ``bluesky``, ``facebook`` or ``blog``
author_id                 yes       the source's id of the author (user id, DID, page id, name)
created_at                yes       ISO 8601 with a zone (``2026-10-02T08:15:00Z``,
                                    ``...+02:00``); UTC is stored
text                      for posts text of the message (may be empty, not missing)
kind                      no        ``post`` (default), ``repost``, ``delete`` or ``profile``
version_id                no        id of this version of an edited message; default message_id
native_id                 no        default: message_id without its ``'<platform>:'`` prefix
conversation_id           no        thread id (namespaced), when the source gives one
parent_id                 no        message replied to (namespaced)
quoted_id, reposted_id    no        message quoted / repeated by a repost (namespaced)
author_handle             no        handle or display name
author_followers          no        integer; empty when unknown (never 0 for unknown)
in_reply_to_author_id     no        author replied to, when the parent may be missing
mentions                  no        accounts mentioned: a JSON list, or in CSV a
                                    ``;``-separated string; lower-cased, ``@`` dropped
thread_owner              no        account owning the post or page a comment belongs to
lang                      no        ISO 639-1
url                       no        link to the original
deleted                   no        ``true`` / ``false`` (or ``1`` / ``0``); empty = unknown
========================  ========  ==========================================================

Other columns are ignored (``archive_sha256`` and ``position`` are set on ingest: the
position is the row's number in the file, 0-based, header excluded). Empty CSV fields
are NULL (an empty text is written quoted: ``""``). In Parquet, ``created_at`` may be a
timestamp with time zone or an ISO string,
and ``mentions`` a list of strings.

A file lacking a required column is rejected whole. A row that breaks a rule is
quarantined with the rule it breaks: a missing required field, an unknown platform or
kind, a message_id without its platform prefix, a timestamp without zone, a value of the
wrong type (ingest adds the rules every format shares: no timestamp more than a day in the
future, one content per id). A JSON-lines line that is not
JSON is quarantined alone.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from pipelines.canonical import KINDS, MESSAGE_SCHEMA, PLATFORMS
from pipelines.formats.base import LINES_SQL, ArchiveError, ReadResult, duckdb_session, result

REQUIRED_COLUMNS = ("message_id", "platform", "author_id", "created_at")
#: Columns read from the file; archive_sha256 and position are set on ingest.
FILE_COLUMNS = tuple(c for c in MESSAGE_SCHEMA if c not in ("archive_sha256", "position"))

ZONED = r"^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d(:\d\d(\.\d+)?)?\s*(Z|z|UTC|[+-]\d\d(:?\d\d)?)$"
NAIVE = r"^\d{4}-\d\d-\d\d([Tt ]\d\d:\d\d(:\d\d(\.\d+)?)?)?$"

_LINES = f"""
select row_number() over (order by line_no) - 1 as position, line_no, line
from ({LINES_SQL.replace("$paths", "$path")})
where not blank
"""

_VALIDATE = """
with rows as (select * from source),
parsed as (
    select *,
        coalesce(nullif(trim(kind_raw), ''), 'post') as kind,
        try_cast(created_raw as timestamptz) as created_at,
        try_cast(try_cast(followers_raw as double) as bigint) as followers,
        case lower(trim(deleted_raw)) when 'true' then true when '1' then true
                                      when 'false' then false when '0' then false end as deleted_flag,
        case when starts_with(ltrim(mentions_raw), '[') then try_cast(try_cast(mentions_raw as json) as varchar[])
             else string_split(mentions_raw, ';') end as mentions_list
    from rows
),
checked as (
    select *,
        case
            when not_json then 'not valid JSON (line ' || line_no || ')'
            when not_object then 'record is not a JSON object'
            when message_id is null or message_id = '' then 'missing required field: message_id'
            when platform is null or platform = '' then 'missing required field: platform'
            when platform not in $platforms
                then 'invalid platform: ' || platform
                     || ' (expected one of ' || array_to_string($platforms, ', ') || ')'
            when not starts_with(message_id, platform || ':') or message_id = platform || ':'
                then 'invalid message_id: ' || message_id || ' does not start with ''' || platform || ':'''
            when kind not in $kinds
                then 'invalid kind: ' || kind || ' (expected one of ' || array_to_string($kinds, ', ') || ')'
            when author_id is null or author_id = '' then 'missing required field: author_id'
            when created_raw is null or created_raw = '' then 'missing required field: created_at'
            when regexp_full_match(trim(created_raw), $naive)
                then 'timestamp without zone in created_at: ' || created_raw
            when not regexp_full_match(trim(created_raw), $zoned) or created_at is null
                then 'invalid created_at: ' || created_raw
            when kind = 'post' and text is null then 'missing required field: text (required for kind post)'
            when followers_raw is not null and trim(followers_raw) <> ''
                 and (followers is null or followers <> try_cast(followers_raw as double))
                then 'invalid author_followers: ' || followers_raw
            when deleted_raw is not null and trim(deleted_raw) <> '' and deleted_flag is null
                then 'invalid deleted: ' || deleted_raw
            when mentions_raw is not null and starts_with(ltrim(mentions_raw), '[') and mentions_list is null
                then 'invalid mentions: ' || mentions_raw
        end as reason
    from parsed
)
select
    position, reason, excerpt,
    message_id,
    coalesce(nullif(version_id, ''), message_id) as version_id,
    platform,
    coalesce(nullif(native_id, ''), substr(message_id, length(platform) + 2)) as native_id,
    kind, conversation_id, parent_id, quoted_id, reposted_id, author_id, author_handle,
    followers as author_followers, in_reply_to_author_id,
    coalesce(list_filter(list_transform(mentions_list, lambda m: lower(ltrim(trim(m), '@'))), lambda m: m <> ''), [])
        as mentions,
    thread_owner, created_at, text, lang, url,
    deleted_flag as deleted
from checked
order by position
"""

#: file column -> name in the validation query (the raw text of columns that get parsed).
_RAW_NAMES = {
    "kind": "kind_raw", "created_at": "created_raw", "author_followers": "followers_raw",
    "deleted": "deleted_raw", "mentions": "mentions_raw",
}


def read_canonical(path: Path) -> ReadResult:
    """Read a canonical CSV, JSON-lines or Parquet file into canonical rows (see module docs)."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    with duckdb_session("a canonical file") as con:
        if head.startswith(b"PAR1"):
            _load_table(con, "read_parquet($path)", path, "Parquet")
        elif head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
            _load_json_lines(con, path)
        else:
            _load_table(con, "read_csv($path, header = true, all_varchar = true, delim = ',', quote = '\"', "
                             "escape = '\"', strict_mode = true, null_padding = false, allow_quoted_nulls = false)",
                        path, "CSV")
        rows = con.sql(_VALIDATE, params={
            "platforms": list(PLATFORMS), "kinds": list(KINDS), "naive": NAIVE, "zoned": ZONED,
        }).pl()
    good = rows.filter(rows["reason"].is_null()).drop("reason", "excerpt")
    quarantine = rows.filter(rows["reason"].is_not_null()).select("position", "reason", "excerpt")
    return result(good, quarantine)


def _load_table(con: duckdb.DuckDBPyConnection, reader: str, path: Path, what: str) -> None:
    """CSV or Parquet -> the ``source`` table: every known column as text, one row per record."""
    try:
        described = con.sql(f"describe select * from {reader}", params={"path": str(path)}).fetchall()
    except duckdb.Error as exc:
        raise ArchiveError(f"not readable as a canonical {what} file: {str(exc).splitlines()[0]}") from exc
    columns = {row[0]: row[1] for row in described}
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise ArchiveError(f"not a canonical {what} file: missing required column(s) {', '.join(missing)}")
    selected = []
    for name in FILE_COLUMNS:
        alias = _RAW_NAMES.get(name, name)
        dtype = columns.get(name)
        if dtype is None:
            selected.append(f"null::varchar as {alias}")
        elif dtype.endswith("[]"):
            selected.append(f'to_json("{name}")::varchar as {alias}')
        else:
            selected.append(f'"{name}"::varchar as {alias}')
    known = ", ".join(f'"{c}"' for c in columns if c in FILE_COLUMNS)
    con.execute(
        f"""create temp table source as
        select row_number() over () - 1 as position, null::bigint as line_no, false as not_json, false as not_object,
               to_json(struct_pack({known}))::varchar as excerpt, {', '.join(selected)}
        from {reader}""",
        {"path": str(path)},
    )


def _load_json_lines(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """JSON lines -> the ``source`` table; a line that is not a JSON object is one bad record."""
    spec = json.dumps({name: ("JSON" if name == "mentions" else "VARCHAR") for name in FILE_COLUMNS})
    selected = []
    for name in FILE_COLUMNS:
        alias = _RAW_NAMES.get(name, name)
        if name == "mentions":
            selected.append("case json_type(r.mentions) when 'VARCHAR' then r.mentions ->> '$' "
                            "when 'NULL' then null else r.mentions::varchar end as mentions_raw")
        else:
            selected.append(f'r."{name}" as {alias}')
    con.execute(
        f"""create temp table source as
        with lines as ({_LINES}),
        objs as (
            select position, line_no, line, json_valid(line) as valid,
                   coalesce(case when json_valid(line) then json_type(line::json) = 'OBJECT' end, false) as is_object
            from lines
        )
        select position, line_no, not valid as not_json, valid and not is_object as not_object, line as excerpt,
               {', '.join(selected)}
        from (select *, case when is_object then json_transform(line, $spec) end as r from objs)""",
        {"path": str(path), "spec": spec},
    )
