-- Follower banding (docs/metrics.md#follower-bands) and the equity index
-- (docs/metrics.md#equity_index), per brand, period and platform (each platform and 'all'): the
-- response rate of the lowest qualifying follower band over that of the highest. A band
-- qualifies with at least min_equity_band_cases actionable cases; the index needs two.
with banded as (
    select
        *,
        case
            when author_followers < 100 then 0
            when author_followers < 1000 then 1
            when author_followers < 10000 then 2
            when author_followers < 100000 then 3
            when author_followers >= 100000 then 4
        end as follower_band
    from {{ ref('int_scorecard_cases') }}
),

band_rates as (
    select
        brand_id,
        period,
        period_start,
        case when grouping(platform) = 1 then 'all' else platform end as platform,
        follower_band,
        count(*) filter (where is_actionable) as actionable_cases,
        {{ rate("count(*) filter (where is_actionable and responded)", "count(*) filter (where is_actionable)") }}
            as response_rate
    from banded
    where follower_band is not null
    -- rollup: each platform, and all platforms together ('all')
    group by brand_id, period, period_start, follower_band, rollup(platform)
)

select
    brand_id,
    period,
    period_start,
    platform,
    case
        when count(*) >= 2 then
            first(response_rate order by follower_band)
            / nullif(first(response_rate order by follower_band desc), 0)
    end as equity_index
from band_rates
where actionable_cases >= {{ var('min_equity_band_cases') }}
group by brand_id, period, period_start, platform
