-- The brand registry as analysts read it: one row per brand with its time zone, SLA, weekly
-- business hours and holidays (local wall-clock ranges per weekday, read back from the open intervals).
with brands as (
    select * from {{ ref('stg_brands') }}
),

local_intervals as (
    select
        o.brand_id,
        timezone(b.timezone, o.open_from) as local_from,
        timezone(b.timezone, o.open_to) as local_to
    from {{ ref('stg_brand_open_hours') }} as o
    inner join brands as b using (brand_id)
    where b.has_business_hours
),

-- an interval may run past local midnight: cut it into its local days
day_segments as (
    select
        i.brand_id,
        d.day::date as day,
        greatest(i.local_from, d.day) as seg_from,
        least(i.local_to, d.day + interval 1 day) as seg_to
    from local_intervals as i,
        lateral (
            select unnest(generate_series(
                date_trunc('day', i.local_from), i.local_to - interval 1 microsecond, interval 1 day
            )) as day
        ) as d
),

day_ranges as (
    select distinct
        brand_id,
        isodow(day) as weekday,
        strftime(seg_from, '%H:%M') || '-'
        || case when seg_to = day + interval 1 day then '24:00' else strftime(seg_to, '%H:%M') end as hours
    from day_segments
    where seg_to > seg_from
),

weekdays as (
    select
        brand_id,
        weekday,
        ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'][weekday] || ' ' || string_agg(hours, ',' order by hours) as day_hours
    from day_ranges
    group by brand_id, weekday
),

weekly as (
    select brand_id, string_agg(day_hours, '; ' order by weekday) as business_hours
    from weekdays
    group by brand_id
)

select
    b.brand_id,
    b.brand_name,
    b.sector,
    b.country,
    b.timezone,
    b.sla_minutes,
    b.has_business_hours,
    w.business_hours,
    b.holidays
from brands as b
left join weekly as w using (brand_id)
