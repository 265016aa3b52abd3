-- Actionable cases never answered within the response window: newest, then widest reach, first.
select
    c.case_id,
    c.brand_id,
    c.platform,
    c.conversation_id,
    c.customer_id,
    c.customer_handle,
    c.author_followers,
    c.opened_message_id,
    c.opened_at,
    c.intent,
    c.opening_sentiment,
    c.opened_text as text,
    c.opened_url as url,
    c.is_final
from {{ ref('care_cases') }} as c
where c.is_actionable and not c.responded
order by c.opened_at desc, c.author_followers desc nulls last
