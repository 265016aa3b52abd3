-- Case-level facts per period: every care case once per period (day, ISO week, calendar month),
-- with the first local day of that period in its brand's time zone (docs/metrics.md#local-periods)
-- and whether the first response met the brand's SLA.
with periods as (
    select unnest(['day', 'week', 'month']) as period
)

select
    c.case_id,
    c.brand_id,
    c.platform,
    p.period,
    {{ local_period_start('c.opened_at', 'b.timezone', 'p.period') }} as period_start,
    c.is_actionable,
    c.responded,
    c.first_response_min,
    c.first_response_business_min,
    c.first_response_min <= b.sla_minutes as sla_met,
    c.deflected,
    c.resolved,
    c.recovered,
    c.opening_sentiment,
    c.off_hours,
    c.author_followers,
    c.is_final
from {{ ref('care_cases') }} as c
inner join {{ ref('stg_brands') }} as b using (brand_id)
cross join periods as p
