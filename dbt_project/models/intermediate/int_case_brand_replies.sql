-- Brand replies of each case: a message by one of the brand's accounts, in the case's
-- conversation, whose parent was written by the case's customer, at or after opened_at.
-- When the parent is missing from the archives, the source's in-reply-to user stands in
-- for its author. A brand message not linked by reply-to answers no case.
select
    c.case_id,
    c.brand_id,
    r.message_id as reply_id,
    r.platform,
    r.created_at,
    r.deflection,
    r.signoff,
    r.canned_text,
    r.created_at <= c.opened_at + to_days({{ var('response_window_days') }}) as within_window
from {{ ref('int_cases_opened') }} as c
inner join {{ ref('int_messages_attributed') }} as r
    on
        r.is_brand
        and r.author_brand_id = c.brand_id
        and r.conversation_id = c.conversation_id
        and r.created_at >= c.opened_at
left join {{ ref('int_messages_attributed') }} as p on p.message_id = r.parent_id
where
    (p.message_id is not null and not p.is_brand and p.author_id = c.customer_id)
    or (p.message_id is null and r.parent_missing and r.in_reply_to_author_id = c.customer_id)
