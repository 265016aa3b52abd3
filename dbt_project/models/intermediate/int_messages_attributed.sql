-- Messages linked to their parent and conversation, and to the brand whose account wrote them.
-- A link to an earlier version of an edited post points at the post. Only those versions need
-- a lookup (a version id equal to its message id maps to itself): a few rows, not every message.
with recursive other_versions as (
    select version_id, message_id
    from {{ ref('int_message_versions') }}
    where version_id <> message_id
),

-- The links of every message, ids only: read by every step below, so kept narrow (the wide
-- columns are read once, in the last select).
messages as (
    select
        d.message_id,
        d.platform,
        d.author_id,
        d.author_handle,
        d.thread_owner,
        coalesce(pv.message_id, d.parent_id) as parent_id,
        coalesce(qv.message_id, d.quoted_id) as quoted_id,
        coalesce(cv.message_id, d.conversation_id) as source_conversation_id
    from {{ ref('int_messages_deduplicated') }} as d
    left join other_versions as pv on pv.version_id = d.parent_id
    left join other_versions as qv on qv.version_id = d.quoted_id
    left join other_versions as cv on cv.version_id = d.conversation_id
),

-- Sources without a thread id: the conversation is the topmost ancestor present.
ancestry (message_id, ancestor_id, depth) as (
    select message_id, message_id as ancestor_id, 0 as depth
    from messages
    where source_conversation_id is null
    union all
    select a.message_id, m.parent_id, a.depth + 1
    from ancestry as a
    inner join messages as m on m.message_id = a.ancestor_id
    inner join messages as p on p.message_id = m.parent_id
    where a.depth < 500
),

topmost as (
    select a.message_id, coalesce(r.source_conversation_id, r.message_id) as conversation_id
    from (
        select message_id, arg_max(ancestor_id, depth) as root_id from ancestry group by message_id
    ) as a
    inner join messages as r on r.message_id = a.root_id
),

-- Two equi-joins, not one join on `account in (handle, id)`: that one compares every message
-- with every account of its platform (3.6 s of 5 at 100,000 messages).
author_keys as (
    select message_id, platform, lower(ltrim(author_handle, '@')) as account from messages
    union
    select message_id, platform, lower(author_id) as account from messages
),

brand_authors as (
    select k.message_id, min(a.brand_id) as author_brand_id
    from author_keys as k
    inner join {{ ref('stg_brand_accounts') }} as a
        on a.platform = k.platform and a.account = k.account
    group by k.message_id
),

-- A comments-only page knows its post's owner on some rows only: share it across the thread
-- (an aggregate joined back, not a window that carries every column).
conversations as (
    select m.message_id, coalesce(m.source_conversation_id, t.conversation_id, m.message_id) as conversation_id
    from messages as m
    left join topmost as t on t.message_id = m.message_id
),

thread_owners as (
    select m.platform, c.conversation_id, max(m.thread_owner) as thread_owner
    from messages as m
    inner join conversations as c on c.message_id = m.message_id
    where m.thread_owner is not null
    group by m.platform, c.conversation_id
),

-- Every link of a message in one narrow row, so that the wide select below joins one table of
-- every message, not three: at 10 million messages three such hash tables at once did not fit
-- in a 3 GB memory limit (DuckDB: "failed to pin block").
links as (
    select
        l.message_id,
        l.parent_id,
        l.parent_id is not null and p.message_id is null as parent_missing,
        l.quoted_id,
        c.conversation_id
    from messages as l
    left join messages as p on p.message_id = l.parent_id
    inner join conversations as c on c.message_id = l.message_id
)

select
    d.message_id,
    d.platform,
    d.native_id,
    l.conversation_id,
    l.parent_id,
    l.parent_missing,
    l.quoted_id,
    d.author_id,
    d.author_handle,
    b.author_brand_id is not null as is_brand,
    b.author_brand_id,
    d.in_reply_to_author_id,
    d.mentions,
    coalesce(d.thread_owner, o.thread_owner) as thread_owner,
    d.created_at,
    d.text,
    d.lang,
    d.url,
    d.sentiment,
    d.sentiment_score,
    d.intent,
    d.intent_confidence,
    d.clauses,
    d.is_thanks,
    d.deflection,
    d.signoff,
    d.canned_text,
    d.archive_sha256,
    d.versions,
    d.deleted
from {{ ref('int_messages_deduplicated') }} as d
inner join links as l on l.message_id = d.message_id
left join thread_owners as o on o.platform = d.platform and o.conversation_id = l.conversation_id
left join brand_authors as b on b.message_id = d.message_id
