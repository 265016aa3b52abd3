-- The per-case fields of docs/metrics.md#per-case-care_cases (all but is_final, which depends on the data horizon:
-- see care_cases). Incremental: a run recomputes the cases opened in the run's half-open window
-- [min_date, max_date) (source lake.run_window), and, wherever they opened, the cases the archives
-- changed since they were computed (a case gone or opened by an earlier message; a case with a new
-- first response or deflection: macros/cases_measured.sql), always from every message (a case's
-- conversation reaches outside the window); it keeps the other cases as they are.
-- depends_on: {{ source('lake', 'run_window') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{% if is_incremental() %}{{ delete_cases_to_recompute() }}{% endif %}",
) }}
with cases as (
    select o.* from {{ ref('int_cases_opened') }} as o
    {% if is_incremental() %}
    -- the cases the pre-hook deleted, and new ones
    anti join (select case_id from {{ this }}) as kept using (case_id)
    {% endif %}
),

messages as (
    select * from {{ ref('int_messages_attributed') }}
),

replies as (
    {{ case_replies() }}
),

answered as (
    select c.*, r.first_response_at, coalesce(r.deflected, false) as deflected
    from cases as c
    left join replies as r using (case_id)
),

last_customer_word as (
    -- the customer's last message in the conversation after the first brand reply
    select
        a.case_id,
        last(m.sentiment order by m.created_at, m.message_id) as sentiment,
        last(m.is_thanks order by m.created_at, m.message_id) as is_thanks
    from answered as a
    inner join messages as m
        on
            m.conversation_id = a.conversation_id
            and m.author_id = a.customer_id
            and m.platform = a.platform
            and m.created_at > a.first_response_at
    group by a.case_id
),

business as (
    select
        a.case_id,
        sum(greatest(
            0,
            epoch(least(o.open_to, a.first_response_at)) - epoch(greatest(o.open_from, a.opened_at))
        )) / 60.0 as first_response_business_min
    from answered as a
    inner join {{ ref('stg_brand_open_hours') }} as o
        on
            o.brand_id = a.brand_id
            and o.open_from < a.first_response_at
            and o.open_to > a.opened_at
    group by a.case_id
),

open_at_opening as (
    select distinct a.case_id
    from answered as a
    inner join {{ ref('stg_brand_open_hours') }} as o
        on o.brand_id = a.brand_id and a.opened_at >= o.open_from and a.opened_at < o.open_to
)

select
    a.case_id,
    a.brand_id,
    a.platform,
    a.conversation_id,
    a.customer_id,
    m.author_handle as customer_handle,
    a.opened_message_id,
    a.opened_at,
    m.intent,
    -- a message addressing several brands: the sentiment of the clauses about this brand
    coalesce(a.brand_sentiment, m.sentiment) as opening_sentiment,
    coalesce(a.brand_sentiment_score, m.sentiment_score) as opening_sentiment_score,
    m.intent in ('complaint', 'question') as is_actionable,
    a.first_response_at,
    (epoch(a.first_response_at) - epoch(a.opened_at)) / 60.0 as first_response_min,
    case when a.first_response_at is not null then coalesce(b.first_response_business_min, 0) end
        as first_response_business_min,
    a.first_response_at is not null as responded,
    a.deflected,
    a.first_response_at is not null
    and coalesce(l.sentiment = 'positive' or l.is_thanks, false) as resolved,
    coalesce(
        coalesce(a.brand_sentiment, m.sentiment) = 'negative' and a.first_response_at is not null
        and l.sentiment <> 'negative', false
    ) as recovered,
    o.case_id is null as off_hours,
    f.author_followers,
    m.text as opened_text,
    m.url as opened_url
from answered as a
inner join messages as m on m.message_id = a.opened_message_id
left join last_customer_word as l using (case_id)
left join business as b using (case_id)
left join open_at_opening as o using (case_id)
left join {{ ref('int_author_profiles') }} as f on f.platform = a.platform and f.author_id = a.customer_id
