-- One row per message_id: the same post seen in several pages or files is one message; an
-- edited post keeps the id and created_at of its first version and the text of its newest.
with message_rows as (
    select r.*, f.registered_at as file_registered_at
    from {{ ref('stg_lake__message_rows') }} as r
    left join {{ ref('stg_archive_files') }} as f on f.sha256 = r.archive_sha256
    where r.kind = 'post'
),

deletions as (
    -- a delete event (Bluesky) marks the post deleted; it stays a message: it was public
    select distinct message_id
    from {{ ref('stg_lake__message_rows') }}
    where kind = 'delete' or deleted
),

newest_version as (
    select *
    from message_rows
    qualify row_number() over (
        partition by message_id
        order by created_at desc, file_registered_at desc, archive_sha256 desc, position desc
    ) = 1
),

first_seen as (
    select
        message_id,
        min(created_at) as created_at,
        min(conversation_id) as conversation_id,
        min(parent_id) as parent_id,
        min(quoted_id) as quoted_id,
        min(in_reply_to_author_id) as in_reply_to_author_id,
        min(thread_owner) as thread_owner,
        first(url order by created_at, version_id) as url,
        first(archive_sha256 order by file_registered_at, archive_sha256) as archive_sha256,
        count(distinct version_id) as versions
    from message_rows
    group by message_id
)

select
    n.message_id,
    n.platform,
    n.native_id,
    f.conversation_id,
    f.parent_id,
    f.quoted_id,
    n.author_id,
    coalesce(n.author_handle, a.author_handle) as author_handle,
    f.in_reply_to_author_id,
    n.mentions,
    f.thread_owner,
    f.created_at,
    n.text,
    n.lang,
    f.url,
    n.sentiment,
    n.sentiment_score,
    n.intent,
    n.is_thanks,
    n.deflection,
    n.signoff,
    n.canned_text,
    f.archive_sha256,
    f.versions,
    d.message_id is not null as deleted
from newest_version as n
inner join first_seen as f using (message_id)
left join deletions as d using (message_id)
left join {{ ref('int_author_profiles') }} as a on a.platform = n.platform and a.author_id = n.author_id
