{{ config(meta={'dagster': {'ref': {'name': 'stg_archive_files'}}}) }}
-- Nothing lost: for every archive file, records read = loaded + quarantined, and the
-- warehouse holds exactly that many rows from it (before deduplication).
with loaded as (
    select archive_sha256 as sha256, count(*) as rows
    from {{ ref('stg_lake__message_rows') }}
    group by all
),
quarantined as (
    select archive_sha256 as sha256, count(*) as rows
    from {{ ref('stg_quarantine') }}
    group by all
)
select f.sha256, f.name, f.records_read, f.records_loaded, f.records_quarantined, l.rows, q.rows
from {{ ref('stg_archive_files') }} as f
left join loaded as l using (sha256)
left join quarantined as q using (sha256)
where f.records_read <> f.records_loaded + f.records_quarantined
   or f.records_quarantined <> coalesce(q.rows, 0)
   or f.records_loaded <> coalesce(l.rows, 0)
