-- Message counts per brand, period and platform (each platform and 'all'): every message fact
-- counts in the local period of its own created_at, in the brand's time zone.
with messages as (
    select * from {{ ref('int_messages_attributed') }}
),

addressed as (
    select * from {{ ref('int_messages_addressing_brands') }}
),

facts as (
    -- customer messages that address the brand
    select a.brand_id, m.platform, m.created_at, 'mention' as fact, null::varchar as sentiment, null::boolean as is_canned
    from addressed as a
    inner join messages as m using (message_id)
    union all
    -- reposts of them (not of brand posts)
    select a.brand_id, m.platform, r.created_at, 'amplification' as fact, null as sentiment, null as is_canned
    from {{ ref('int_reposts') }} as r
    inner join addressed as a on a.message_id = r.reposted_message_id
    inner join messages as m on m.message_id = r.reposted_message_id
    union all
    -- brand replies to a case's customer (a reply missing from int_canned_replies is not canned)
    select r.brand_id, r.platform, r.created_at, 'brand_reply' as fact, null as sentiment, coalesce(c.is_canned, false) as is_canned
    from (select distinct reply_id, brand_id, platform, created_at from {{ ref('int_case_brand_replies') }}) as r
    left join {{ ref('int_canned_replies') }} as c using (reply_id)
    union all
    select author_brand_id as brand_id, platform, created_at, 'brand_post' as fact, null as sentiment, null as is_canned
    from messages
    where is_brand
    union all
    -- customer messages that address the brand or belong to one of its cases (the customer's
    -- messages in the case's conversation from its opening on), with the sentiment of the part
    -- about the brand when a message addresses several (as a case's opening sentiment: QA)
    select
        s.brand_id,
        m.platform,
        m.created_at,
        'customer_message' as fact,
        coalesce(b.brand_sentiment, m.sentiment) as sentiment,
        null as is_canned
    from (
        select brand_id, message_id from addressed
        union
        select c.brand_id, cm.message_id
        from {{ ref('int_cases_opened') }} as c
        inner join messages as cm
            on
                cm.conversation_id = c.conversation_id and cm.author_id = c.customer_id and cm.platform = c.platform
                and cm.created_at >= c.opened_at
    ) as s
    inner join messages as m using (message_id)
    left join addressed as b on b.message_id = s.message_id and b.brand_id = s.brand_id
),

counts as (
    select
        f.brand_id,
        p.period,
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
    from facts as f
    inner join {{ ref('stg_brands') }} as b using (brand_id)
    cross join (select unnest(['day', 'week', 'month']) as period) as p
    -- rollup: each platform, and all platforms together ('all')
    group by f.brand_id, p.period, period_start, rollup(f.platform)
)

select
    brand_id,
    period,
    period_start,
    platform,
    mentions,
    amplification,
    brand_replies,
    brand_posts,
    {{ rate('canned_replies', 'brand_replies') }} as canned_reply_share,
    {{ rate('positive_messages - negative_messages', 'customer_messages') }} as net_sentiment
from counts
