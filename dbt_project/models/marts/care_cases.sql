-- One row per care case with the per-case fields of docs/metrics.md#per-case-care_cases.
with horizon as (
    select data_horizon from {{ ref('int_data_horizon') }}
)

select
    c.case_id,
    c.brand_id,
    b.brand_name,
    c.platform,
    c.conversation_id,
    c.customer_id,
    c.customer_handle,
    c.opened_message_id,
    c.opened_at,
    c.intent,
    m.intent_confidence,
    c.opening_sentiment,
    c.opening_sentiment_score,
    c.is_actionable,
    c.first_response_at,
    c.first_response_min,
    c.first_response_business_min,
    c.responded,
    c.deflected,
    c.resolved,
    c.recovered,
    c.off_hours,
    c.author_followers,
    c.opened_at + to_days({{ var('response_window_days') }}) <= h.data_horizon as is_final,
    c.opened_text,
    c.opened_url
from {{ ref('int_cases_measured') }} as c
cross join horizon as h
left join {{ ref('int_messages_attributed') }} as m on m.message_id = c.opened_message_id
left join {{ ref('stg_brands') }} as b on b.brand_id = c.brand_id
