-- Every link of a message in one narrow row: its conversation, parent (and whether that parent
-- is missing from the archives), quoted post, thread owner, and the brand whose account wrote
-- it. int_messages_attributed joins it to the wide columns once. int_message_keys is read by
-- its name each time, not through a CTE: DuckDB materialises a CTE read several times, and
-- that copy of every message did not fit a 3 GB limit beside the joins at 10 million messages.
with replied_threads as (
    -- a thread without a thread id (its messages from sources that give none: X v1.1, TAGS, a
    -- personal archive) that a reply from a source giving one answers (X API v2): the thread id
    -- the reply gives, so that a brand's v2 reply and the v1.1 tweet it answers are one conversation
    select a.root_id, min(k.source_conversation_id) as conversation_id
    from {{ ref('int_message_keys') }} as k
    inner join {{ ref('int_message_roots') }} as a on a.message_id = k.parent_id
    where k.source_conversation_id is not null
    group by a.root_id
),

conversations as (
    select
        m.message_id,
        coalesce(m.source_conversation_id, r.source_conversation_id, t.conversation_id, r.message_id, m.message_id)
            as conversation_id
    from {{ ref('int_message_keys') }} as m
    left join {{ ref('int_message_roots') }} as a on a.message_id = m.message_id
    left join {{ ref('int_message_keys') }} as r on r.message_id = a.root_id
    left join replied_threads as t on t.root_id = a.root_id
),

-- Two equi-joins, not one join on `account in (handle, id)`: that one compares every message
-- with every account of its platform (3.6 s of 5 at 100,000 messages). Joined before they are
-- combined: only brand-written messages come out, not two keys of every message.
brand_authors as (
    select message_id, min(brand_id) as author_brand_id
    from (
        select m.message_id, a.brand_id
        from {{ ref('int_message_keys') }} as m
        inner join {{ ref('stg_brand_accounts') }} as a
            on a.platform = m.platform and a.account = lower(ltrim(m.author_handle, '@'))
        union all
        select m.message_id, a.brand_id
        from {{ ref('int_message_keys') }} as m
        inner join {{ ref('stg_brand_accounts') }} as a
            on a.platform = m.platform and a.account = lower(m.author_id)
    )
    group by message_id
),

-- A comments-only page knows its post's owner on some rows only: share it across the thread
-- (an aggregate joined back, not a window that carries every column).
thread_owners as (
    select m.platform, c.conversation_id, max(m.thread_owner) as thread_owner
    from {{ ref('int_message_keys') }} as m
    inner join conversations as c on c.message_id = m.message_id
    where m.thread_owner is not null
    group by m.platform, c.conversation_id
)

select
    l.message_id,
    c.conversation_id,
    l.parent_id,
    l.parent_id is not null and p.message_id is null as parent_missing,
    l.quoted_id,
    coalesce(l.thread_owner, o.thread_owner) as thread_owner,
    b.author_brand_id
from {{ ref('int_message_keys') }} as l
inner join conversations as c on c.message_id = l.message_id
left join {{ ref('int_message_keys') }} as p on p.message_id = l.parent_id
left join thread_owners as o on o.platform = l.platform and o.conversation_id = c.conversation_id
left join brand_authors as b on b.message_id = l.message_id
