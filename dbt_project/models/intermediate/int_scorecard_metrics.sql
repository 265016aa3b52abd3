-- Every scorecard metric but the care score and ranks, per brand, period and platform (each
-- platform and 'all'): the case counts and rates of the period's cases (by opened_at), the
-- message counts of int_scorecard_messages and the equity index of int_scorecard_equity.
-- A rate is NULL when its denominator is 0.
with cases as (
    select
        brand_id,
        period,
        period_start,
        case when grouping(platform) = 1 then 'all' else platform end as platform,
        count(*) as cases,
        count(*) filter (where is_actionable) as actionable_cases,
        count(*) filter (where is_actionable and responded) as responded_cases,
        quantile_cont(first_response_min, 0.5) filter (where is_actionable and responded) as median_first_response_min,
        quantile_cont(first_response_min, 0.9) filter (where is_actionable and responded) as p90_first_response_min,
        quantile_cont(first_response_business_min, 0.5) filter (where is_actionable and responded)
            as median_first_response_business_min,
        count(*) filter (where is_actionable and responded and sla_met) as sla_met_cases,
        count(*) filter (where is_actionable and responded and deflected) as deflected_cases,
        count(*) filter (where is_actionable and resolved) as resolved_cases,
        count(*) filter (where is_actionable and responded and opening_sentiment = 'negative') as responded_negative_cases,
        count(*) filter (where is_actionable and recovered) as recovered_cases,
        count(*) filter (where is_actionable and not responded) as ignored_cases,
        -- 0 when no ignored case opened negative (nobody saw an unanswered complaint); NULL when
        -- some did, but none of their customers has a known follower count
        case
            when count(*) filter (where is_actionable and not responded and opening_sentiment = 'negative') = 0 then 0
            else sum(author_followers) filter (where is_actionable and not responded and opening_sentiment = 'negative')
        end::bigint as ignored_reach,
        count(*) filter (where is_actionable and off_hours) as off_hours_cases,
        count(*) filter (where is_actionable and off_hours and responded) as off_hours_responded_cases,
        bool_and(is_final) as all_cases_final
    from {{ ref('int_scorecard_cases') }}
    -- rollup: each platform, and all platforms together ('all')
    group by brand_id, period, period_start, rollup(platform)
),

messages as (
    select * from {{ ref('int_scorecard_messages') }}
),

keys as (
    select brand_id, period, period_start, platform from cases
    union
    select brand_id, period, period_start, platform from messages
)

select
    k.brand_id,
    b.brand_name,
    b.sector,
    k.period,
    k.period_start,
    k.platform,
    coalesce(mm.mentions, 0) as mentions,
    coalesce(mm.amplification, 0) as amplification,
    coalesce(cm.cases, 0) as cases,
    coalesce(cm.actionable_cases, 0) as actionable_cases,
    coalesce(cm.responded_cases, 0) as responded_cases,
    {{ rate('cm.responded_cases', 'cm.actionable_cases') }} as response_rate,
    {{ wilson_bound('cm.responded_cases', 'cm.actionable_cases', '-') }} as response_rate_low,
    {{ wilson_bound('cm.responded_cases', 'cm.actionable_cases', '+') }} as response_rate_high,
    cm.median_first_response_min,
    cm.p90_first_response_min,
    cm.median_first_response_business_min,
    {{ rate('cm.sla_met_cases', 'cm.actionable_cases') }} as sla_met_rate,
    {{ rate('cm.deflected_cases', 'cm.responded_cases') }} as deflection_rate,
    {{ rate('cm.resolved_cases', 'cm.responded_cases') }} as resolution_rate,
    {{ rate('cm.recovered_cases', 'cm.responded_negative_cases') }} as recovery_rate,
    coalesce(cm.ignored_cases, 0) as ignored_cases,
    -- a row of the messages alone (no case) ignored nobody: 0 (NULL only for want of follower counts)
    case when cm.cases is null then 0 else cm.ignored_reach end as ignored_reach,
    e.equity_index,
    {{ rate('cm.off_hours_responded_cases', 'cm.off_hours_cases') }} as off_hours_response_rate,
    mm.canned_reply_share,
    mm.net_sentiment,
    coalesce(mm.brand_replies, 0) as brand_replies,
    coalesce(mm.brand_posts, 0) as brand_posts,
    -- final when every case of the period is; a period without cases once its end + the
    -- response window <= the data horizon
    coalesce(
        cm.all_cases_final,
        {{ local_period_end('k.period_start', 'b.timezone', 'k.period') }}
        + to_days({{ var('response_window_days') }}) <= h.data_horizon
    ) as is_final
from keys as k
inner join {{ ref('stg_brands') }} as b using (brand_id)
cross join {{ ref('int_data_horizon') }} as h
left join cases as cm using (brand_id, period, period_start, platform)
left join messages as mm using (brand_id, period, period_start, platform)
left join {{ ref('int_scorecard_equity') }} as e using (brand_id, period, period_start, platform)
