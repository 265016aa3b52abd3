-- Per brand, period (day, ISO week, calendar month in the brand's time zone) and platform
-- (each platform and 'all'): the scorecard of docs/metrics.md. The metrics come from
-- int_scorecard_metrics; this model adds the care score and the ranks (docs/metrics.md#care_score).
{% set w = var('score_weights') %}
{% set best = var('speed_best_min') %}
{% set worst = var('speed_worst_min') %}
with parts as (
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
    from {{ ref('int_scorecard_metrics') }}
),

scored as (
    -- 100 * sum(weight * part) / sum(weight) over the parts that are not NULL
    select
        * exclude (speed_part, in_channel_part, equity_part),
        case
            when response_rate is not null then
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
    from scored
)

select
    * exclude (is_ranked, is_final),
    case when is_ranked then rank() over (
        partition by period, period_start, platform, is_ranked order by care_score desc
    ) end as rank,
    -- a brand without a sector has none to be ranked in (brands without one are not a sector)
    case when is_ranked and sector is not null then rank() over (
        partition by period, period_start, platform, sector, is_ranked order by care_score desc
    ) end as sector_rank,
    is_final
from ranked
