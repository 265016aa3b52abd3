-- Per brand, platform (each platform and 'all'), calendar month (brand's time zone) and agent
-- (the sign-off of the brand reply): what each agent answered and how fast. Replies without a
-- sign-off are kept, under a NULL agent, so that a month's replies add up to brand_replies.
with replies as (
    select distinct
        r.brand_id,
        r.platform,
        {{ local_period_start('r.created_at', 'b.timezone', "'month'") }} as period_start,
        r.signoff as agent,
        r.reply_id,
        r.case_id
    from {{ ref('int_case_brand_replies') }} as r
    inner join {{ ref('stg_brands') }} as b using (brand_id)
),

first_responses as (
    -- the reply that is each case's first response as care_cases has it (a case of a day not
    -- recomputed by this run keeps its first response): its earliest reply within the window
    select r.case_id, first(r.reply_id order by r.reply_id) as reply_id
    from {{ ref('int_case_brand_replies') }} as r
    inner join {{ ref('care_cases') }} as c
        on c.case_id = r.case_id and r.created_at = c.first_response_at
    group by r.case_id
),

reply_facts as (
    select
        r.*,
        f.case_id is not null as is_first_response,
        c.first_response_min
    from replies as r
    left join first_responses as f on f.case_id = r.case_id and f.reply_id = r.reply_id
    left join {{ ref('care_cases') }} as c on c.case_id = f.case_id
)

select
    brand_id,
    case when grouping(platform) = 1 then 'all' else platform end as platform,
    period_start,
    agent,
    count(distinct reply_id) as replies,
    count(distinct case_id) as cases,
    count(distinct case_id) filter (where is_first_response) as first_responses,
    quantile_cont(first_response_min, 0.5) filter (where is_first_response) as median_first_response_min
from reply_facts
-- per platform and over all platforms (the rollup row has platform NULL)
group by brand_id, period_start, agent, rollup(platform)
