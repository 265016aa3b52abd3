-- The ids of every message, narrow: what the thread and brand links below read, so that no
-- step of them carries the wide columns (texts, classes). A link to an earlier version of an
-- edited post points at the post. Only those versions need a lookup (a version id equal to its
-- message id maps to itself): a few rows, not every message.
with other_versions as (
    select version_id, message_id
    from {{ ref('int_message_versions') }}
    where version_id <> message_id
)

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
