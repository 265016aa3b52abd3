-- One row per message_id: the same post seen in several pages or files is one message; an
-- edited post keeps the id and created_at of its first version and the text of its newest (with
-- that text's classification). Of the copies of the newest version, a whole text wins over one
-- its source cut (a TAGS sheet's 140 characters beside the API's full text), whatever the
-- order the files came in.
-- (inlined where it is read, not materialised: at 10 million wide rows a materialised copy spills)
with post_rows as not materialized (
    select r.*, f.registered_at as file_registered_at
    from {{ ref('stg_lake__message_rows') }} as r
    left join {{ ref('stg_archive_files') }} as f on f.sha256 = r.archive_sha256
    where r.kind = 'post'
),

shown_notes as (
    -- An X archive holds a long post twice: its whole text in note-tweet.js (x:note:<id>, no
    -- reply links) and the post in tweets.js (x:<id>), which the reader gives the note's text
    -- when the note file is beside it. A note that a post of its author shows (the same text, up
    -- to a minute after it) is that post: one message, the post's.
    select distinct n.message_id
    from post_rows as n
    inner join post_rows as p
        on p.author_id = n.author_id and p.text = n.text
    where
        n.platform = 'x' and starts_with(n.native_id, 'note:')
        and p.platform = 'x' and not starts_with(p.native_id, 'note:')
        and p.created_at between n.created_at - interval 2 second and n.created_at + interval 60 second
),

message_rows as not materialized (
    select *
    from post_rows
    anti join shown_notes using (message_id)
),

deletions as (
    -- a delete event (Bluesky) marks the post deleted; it stays a message: it was public
    select distinct message_id
    from {{ ref('stg_lake__message_rows') }}
    where kind = 'delete' or deleted
),

repeated as (
    -- ids seen in more than one row (a few): only they need a version chosen; the others
    -- (nearly all) pass through without sorting or aggregating their wide rows
    select message_id
    from message_rows
    group by message_id
    having count(*) > 1
),

single as (
    select
        r.*,
        r.conversation_id as first_conversation_id,
        r.parent_id as first_parent_id,
        r.quoted_id as first_quoted_id,
        r.in_reply_to_author_id as first_in_reply_to_author_id,
        r.thread_owner as first_thread_owner,
        r.created_at as first_created_at,
        r.url as first_url,
        r.archive_sha256 as first_archive_sha256,
        case when r.version_id is null then 0 else 1 end as versions
    from message_rows as r
    anti join repeated using (message_id)
),

repeated_rows as (
    select *
    from message_rows
    semi join repeated using (message_id)
),

newest_version as (
    select *
    from repeated_rows
    qualify row_number() over (
        partition by message_id
        order by
            created_at desc,
            {{ is_cut_text('text') }} asc,
            file_registered_at desc,
            archive_sha256 desc,
            position desc
    ) = 1
),

first_seen as (
    select
        message_id,
        min(created_at) as first_created_at,
        min(conversation_id) as first_conversation_id,
        min(parent_id) as first_parent_id,
        min(quoted_id) as first_quoted_id,
        min(in_reply_to_author_id) as first_in_reply_to_author_id,
        min(thread_owner) as first_thread_owner,
        first(url order by created_at, version_id) as first_url,
        first(archive_sha256 order by file_registered_at, archive_sha256) as first_archive_sha256,
        count(distinct version_id) as versions
    from repeated_rows
    group by message_id
),

chosen as (
    select * from single
    union all by name
    select n.*, f.* exclude (message_id)
    from newest_version as n
    inner join first_seen as f using (message_id)
)

select
    n.message_id,
    n.platform,
    n.native_id,
    n.first_conversation_id as conversation_id,
    n.first_parent_id as parent_id,
    n.first_quoted_id as quoted_id,
    n.author_id,
    coalesce(n.author_handle, a.author_handle) as author_handle,
    n.first_in_reply_to_author_id as in_reply_to_author_id,
    n.mentions,
    n.first_thread_owner as thread_owner,
    n.first_created_at as created_at,
    n.text,
    n.lang,
    n.first_url as url,
    n.sentiment,
    n.sentiment_score,
    n.intent,
    n.intent_confidence,
    n.clauses,
    n.is_thanks,
    n.deflection,
    n.signoff,
    n.canned_text,
    n.first_archive_sha256 as archive_sha256,
    n.versions,
    d.message_id is not null as deleted
from chosen as n
left join deletions as d using (message_id)
left join {{ ref('int_author_profiles') }} as a on a.platform = n.platform and a.author_id = n.author_id
