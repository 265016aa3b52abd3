-- Per brand, period (day, ISO week, calendar month in the brand's time zone) and platform
-- (each platform and 'all'): the scorecard of METRICS.md.
{% set w = var('score_weights') %}
{% set best = var('speed_best_min') %}
{% set worst = var('speed_worst_min') %}
with brands as (
    select * from {{ ref('stg_brands') }}
),

periods as (
    select unnest(['day', 'week', 'month']) as period
),

messages as (
    select * from {{ ref('int_messages_attributed') }}
),

case_facts as (
    select
        c.*,
        p.period,
        {{ local_period_start('c.opened_at', 'b.timezone', 'p.period') }} as period_start,
        b.sla_minutes,
        case
            when c.author_followers < 100 then 0
            when c.author_followers < 1000 then 1
            when c.author_followers < 10000 then 2
            when c.author_followers < 100000 then 3
            when c.author_followers >= 100000 then 4
        end as follower_band
    from {{ ref('care_cases') }} as c
    inner join brands as b using (brand_id)
    cross join periods as p
),

case_metrics as (
    select
        brand_id, period, period_start,
        case when grouping(platform) = 1 then 'all' else platform end as platform,
        count(*) as cases,
        count(*) filter (where is_actionable) as actionable_cases,
        count(*) filter (where is_actionable and responded) as responded_cases,
        quantile_cont(first_response_min, 0.5) filter (where is_actionable and responded) as median_first_response_min,
        quantile_cont(first_response_min, 0.9) filter (where is_actionable and responded) as p90_first_response_min,
        quantile_cont(first_response_business_min, 0.5) filter (where is_actionable and responded)
            as median_first_response_business_min,
        count(*) filter (where is_actionable and responded and first_response_min <= sla_minutes) as sla_met_cases,
        count(*) filter (where is_actionable and responded and deflected) as deflected_cases,
        count(*) filter (where is_actionable and resolved) as resolved_cases,
        count(*) filter (where is_actionable and responded and opening_sentiment = 'negative') as responded_negative_cases,
        count(*) filter (where is_actionable and recovered) as recovered_cases,
        count(*) filter (where is_actionable and not responded) as ignored_cases,
        sum(author_followers) filter (where is_actionable and not responded and opening_sentiment = 'negative')::bigint
            as ignored_reach,
        count(*) filter (where is_actionable and off_hours) as off_hours_cases,
        count(*) filter (where is_actionable and off_hours and responded) as off_hours_responded_cases,
        bool_and(is_final) as all_cases_final
    from case_facts
    group by grouping sets ((brand_id, period, period_start, platform), (brand_id, period, period_start))
),

band_rates as (
    select
        brand_id, period, period_start,
        case when grouping(platform) = 1 then 'all' else platform end as platform,
        follower_band,
        count(*) filter (where is_actionable) as actionable_cases,
        {{ rate("count(*) filter (where is_actionable and responded)", "count(*) filter (where is_actionable)") }}
            as response_rate
    from case_facts
    where follower_band is not null
    group by grouping sets (
        (brand_id, period, period_start, platform, follower_band),
        (brand_id, period, period_start, follower_band)
    )
),

equity as (
    -- lowest qualifying band's response rate / highest qualifying band's
    select
        brand_id, period, period_start, platform,
        case when count(*) >= 2 then
            first(response_rate order by follower_band)
            / nullif(first(response_rate order by follower_band desc), 0)
        end as equity_index
    from band_rates
    where actionable_cases >= {{ var('min_equity_band_cases') }}
    group by brand_id, period, period_start, platform
),

canned as (
    select reply_id, is_canned from {{ ref('int_canned_replies') }}
),

-- Message-level facts, each counted in the period and platform of its own timestamp.
message_facts as (
    select a.brand_id, m.platform, m.created_at, 'mention' as fact, null::varchar as sentiment, null::boolean as is_canned
    from {{ ref('int_messages_addressing_brands') }} as a
    inner join messages as m using (message_id)
    union all
    select a.brand_id, m.platform, r.created_at, 'amplification', null, null
    from {{ ref('int_reposts') }} as r
    inner join {{ ref('int_messages_addressing_brands') }} as a on a.message_id = r.reposted_message_id
    inner join messages as m on m.message_id = r.reposted_message_id
    union all
    select r.brand_id, r.platform, r.created_at, 'brand_reply', null, coalesce(c.is_canned, false)
    from (select distinct reply_id, brand_id, platform, created_at from {{ ref('int_case_brand_replies') }}) as r
    left join canned as c using (reply_id)
    union all
    select author_brand_id, platform, created_at, 'brand_post', null, null
    from messages
    where is_brand
    union all
    -- customer messages that address the brand or belong to one of its cases
    select s.brand_id, m.platform, m.created_at, 'customer_message', m.sentiment, null
    from (
        select brand_id, message_id from {{ ref('int_messages_addressing_brands') }}
        union
        select c.brand_id, m.message_id
        from {{ ref('int_cases_opened') }} as c
        inner join messages as m
            on m.conversation_id = c.conversation_id and m.author_id = c.customer_id and m.platform = c.platform
    ) as s
    inner join messages as m using (message_id)
),

message_metrics as (
    select
        f.brand_id, p.period,
        {{ local_period_start('f.created_at', 'b.timezone', 'p.period') }} as period_start,
        case when grouping(f.platform) = 1 then 'all' else f.platform end as platform,
        count(*) filter (where fact = 'mention') as mentions,
        count(*) filter (where fact = 'amplification') as amplification,
        count(*) filter (where fact = 'brand_reply') as brand_replies,
        count(*) filter (where fact = 'brand_reply' and is_canned) as canned_replies,
        count(*) filter (where fact = 'brand_post') as brand_posts,
        count(*) filter (where fact = 'customer_message') as customer_messages,
        count(*) filter (where fact = 'customer_message' and sentiment = 'positive') as positive_messages,
        count(*) filter (where fact = 'customer_message' and sentiment = 'negative') as negative_messages
    from message_facts as f
    inner join brands as b using (brand_id)
    cross join periods as p
    group by grouping sets (
        (f.brand_id, p.period, period_start, f.platform),
        (f.brand_id, p.period, period_start)
    )
),

keys as (
    select brand_id, period, period_start, platform from case_metrics
    union
    select brand_id, period, period_start, platform from message_metrics
),

horizon as (
    select max(created_at) as data_horizon from messages
),

scored as (
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
        cm.ignored_reach,
        e.equity_index,
        {{ rate('cm.off_hours_responded_cases', 'cm.off_hours_cases') }} as off_hours_response_rate,
        {{ rate('mm.canned_replies', 'mm.brand_replies') }} as canned_reply_share,
        {{ rate('mm.positive_messages - mm.negative_messages', 'mm.customer_messages') }} as net_sentiment,
        coalesce(mm.brand_replies, 0) as brand_replies,
        coalesce(mm.brand_posts, 0) as brand_posts,
        coalesce(
            cm.all_cases_final,
            {{ local_period_end('k.period_start', 'b.timezone', 'k.period') }}
                + to_days({{ var('response_window_days') }}) <= h.data_horizon
        ) as is_final
    from keys as k
    inner join brands as b using (brand_id)
    cross join horizon as h
    left join case_metrics as cm using (brand_id, period, period_start, platform)
    left join message_metrics as mm using (brand_id, period, period_start, platform)
    left join equity as e using (brand_id, period, period_start, platform)
),

parts as (
    select
        *,
        case
            when median_first_response_min is null then null
            when median_first_response_min <= {{ best }} then 1.0
            when median_first_response_min >= {{ worst }} then 0.0
            else 1 - (ln(median_first_response_min) - ln({{ best }})) / (ln({{ worst }}) - ln({{ best }}))
        end as speed_part,
        1 - deflection_rate as in_channel_part,
        -- not least(): it skips NULLs, and a NULL equity index must stay NULL (left out)
        case when equity_index > 1 then 1.0 else equity_index end as equity_part
    from scored
),

with_score as (
    select
        * exclude (speed_part, in_channel_part, equity_part),
        case when response_rate is not null then
            100 * (
                {{ w['response_rate'] }} * response_rate
                + {{ w['speed'] }} * coalesce(speed_part, 0)
                + {{ w['in_channel'] }} * coalesce(in_channel_part, 0)
                + {{ w['equity'] }} * coalesce(equity_part, 0)
                + {{ w['off_hours'] }} * coalesce(off_hours_response_rate, 0)
                + {{ w['recovery'] }} * coalesce(recovery_rate, 0)
            ) / (
                {{ w['response_rate'] }}
                + {{ w['speed'] }} * (speed_part is not null)::int
                + {{ w['in_channel'] }} * (in_channel_part is not null)::int
                + {{ w['equity'] }} * (equity_part is not null)::int
                + {{ w['off_hours'] }} * (off_hours_response_rate is not null)::int
                + {{ w['recovery'] }} * (recovery_rate is not null)::int
            )
        end as care_score
    from parts
),

ranked as (
    select
        *,
        actionable_cases >= {{ var('min_ranked_cases') }} and care_score is not null as is_ranked
    from with_score
)

select
    * exclude (is_ranked, is_final),
    case when is_ranked then rank() over (
        partition by period, period_start, platform, is_ranked order by care_score desc
    ) end as rank,
    case when is_ranked then rank() over (
        partition by period, period_start, platform, sector, is_ranked order by care_score desc
    ) end as sector_rank,
    is_final
from ranked
