-- What the archives say about each author, the newest data winning: the file whose newest row is
-- the latest (a follower count is the one of when its file was exported, and a file exports no
-- row dated after its export), then the file registered last, then the newest row. The handle (a
-- copy of a post may lack it, e.g. an X page whose includes.users misses the author) and the
-- follower count (NULL, never 0, when no source gives one). Ordered by when the files were
-- registered, an older export ingested later (or gzipped again) would have set every count back.
with files as (
    select archive_sha256, max(created_at) as file_newest_at
    from {{ ref('stg_lake__message_rows') }}
    group by archive_sha256
),

rows as (
    select
        r.platform, r.author_id, r.author_handle, r.author_followers, r.created_at, r.archive_sha256,
        r.position, f.registered_at, n.file_newest_at
    from {{ ref('stg_lake__message_rows') }} as r
    left join {{ ref('stg_archive_files') }} as f on f.sha256 = r.archive_sha256
    left join files as n using (archive_sha256)
    where r.author_id is not null
)

select
    platform,
    author_id,
    first(author_handle order by file_newest_at desc, registered_at desc, archive_sha256 desc, created_at desc, position desc)
    filter (where author_handle is not null) as author_handle,
    first(author_followers order by file_newest_at desc, registered_at desc, archive_sha256 desc, created_at desc, position desc)
    filter (where author_followers is not null) as author_followers
from rows
group by platform, author_id
