-- A case is one (conversation, brand, customer) in which the customer addressed the brand
-- or the brand replied to the customer. It opens at the customer's earliest such message
-- and never reopens.
with messages as (
    select * from {{ ref('int_messages_attributed') }}
),

addressed as (
    select m.conversation_id, a.brand_id, m.author_id as customer_id, m.platform, m.message_id, m.created_at
    from {{ ref('int_messages_addressing_brands') }} as a
    inner join messages as m using (message_id)
),

replied_to as (
    select p.conversation_id, r.author_brand_id as brand_id, p.author_id as customer_id, p.platform, p.message_id, p.created_at
    from messages as r
    inner join messages as p on p.message_id = r.parent_id
    where r.is_brand and not p.is_brand and r.conversation_id = p.conversation_id
),

openers as (
    select * from addressed
    union
    select * from replied_to
),

cases as (
    select
        md5(conversation_id || '|' || brand_id || '|' || customer_id) as case_id,
        brand_id,
        any_value(platform) as platform,
        conversation_id,
        customer_id,
        first(message_id order by created_at, message_id) as opened_message_id,
        min(created_at) as opened_at
    from openers
    group by conversation_id, brand_id, customer_id
)

-- brand_sentiment(_score): when the opening message addresses several brands, the sentiment
-- of its clauses about this case's brand (int_messages_addressing_brands); else NULL.
select
    c.*,
    a.brand_sentiment,
    a.brand_sentiment_score
from cases as c
left join {{ ref('int_messages_addressing_brands') }} as a
    on a.message_id = c.opened_message_id and a.brand_id = c.brand_id
