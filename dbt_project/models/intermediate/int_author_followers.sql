-- The latest follower count the archives give for each author: the newest file wins, then
-- the newest post. NULL (no row) when no source gives one; never 0 for unknown.
select
    r.platform,
    r.author_id,
    first(r.author_followers order by f.registered_at desc, r.created_at desc, r.archive_sha256 desc) as author_followers
from {{ ref('stg_lake__message_rows') }} as r
left join {{ ref('stg_archive_files') }} as f on f.sha256 = r.archive_sha256
where r.author_followers is not null
group by r.platform, r.author_id
