-- Reposts / retweets: not messages, counted as amplification of the message they repeat.
select
    r.version_id as repost_id,
    r.platform,
    r.author_id,
    min(r.created_at) as created_at,
    coalesce(min(v.message_id), min(r.reposted_id)) as reposted_message_id
from {{ ref('stg_lake__message_rows') }} as r
left join {{ ref('int_message_versions') }} as v on v.version_id = r.reposted_id
where r.kind = 'repost'
group by r.version_id, r.platform, r.author_id
