-- The per-case fields of docs/metrics.md#per-case-care_cases (all but is_final, which depends on the data horizon:
-- see care_cases). Incremental: a run recomputes the cases opened in the run's half-open window
-- [min_date, max_date) (source lake.run_window), and, wherever they opened, every case whose inputs
-- changed since it was computed (macros/cases_measured.sql: its messages, replies, author profile,
-- brand registry and the brand's calendar, calendar_key), always from every message (a case's
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

fields as (
    {{ case_fields('cases') }}
),

business as (
    select
        a.case_id,
        sum(greatest(
            0,
            epoch(least(o.open_to, a.first_response_at)) - epoch(greatest(o.open_from, a.opened_at))
        )) / 60.0 as first_response_business_min
    from fields as a
    inner join {{ ref('stg_brand_open_hours') }} as o
        on
            o.brand_id = a.brand_id
            and o.open_from < a.first_response_at
            and o.open_to > a.opened_at
    group by a.case_id
),

open_at_opening as (
    select distinct a.case_id
    from fields as a
    inner join {{ ref('stg_brand_open_hours') }} as o
        on o.brand_id = a.brand_id and a.opened_at >= o.open_from and a.opened_at < o.open_to
)

select
    a.* exclude (calendar_key),
    (epoch(a.first_response_at) - epoch(a.opened_at)) / 60.0 as first_response_min,
    case when a.first_response_at is not null then coalesce(b.first_response_business_min, 0) end
        as first_response_business_min,
    o.case_id is null as off_hours,
    a.calendar_key
from fields as a
left join business as b using (case_id)
left join open_at_opening as o using (case_id)
