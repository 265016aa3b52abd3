-- Sources without a thread id: each such message's topmost ancestor present (its conversation
-- is that ancestor's). A model of its own: recursion and the joins that follow it in one query
-- held several hash tables of every message at once, more than a 2.5 GB memory limit holds at
-- 10 million messages.
with recursive edges as (
    -- the parent links whose parent is present, found once, not on every step of the walk
    select m.message_id, m.parent_id
    from {{ ref('int_message_keys') }} as m
    semi join {{ ref('int_message_keys') }} as p on p.message_id = m.parent_id
),

ancestry (message_id, ancestor_id, depth) as (
    select message_id, message_id as ancestor_id, 0 as depth
    from {{ ref('int_message_keys') }}
    where source_conversation_id is null
    union all
    select a.message_id, e.parent_id, a.depth + 1
    from ancestry as a
    inner join edges as e on e.message_id = a.ancestor_id
    where a.depth < 500
)

select message_id, arg_max(ancestor_id, depth) as root_id
from ancestry
group by message_id
