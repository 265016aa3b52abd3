-- Authors whose handle is an account of one brand of the registry and whose id (a DID, a user id)
-- an account of another: one account listed for two brands, which the registry cannot tell when
-- one entry gives the handle and the other the id (QA: a Bluesky DID under one brand, its handle
-- under another). Its messages are one brand's, and the cases addressed to it were counted for
-- both, the other never answering. A warning with the account and the brands, not an error.
-- (an asset check of stg_brand_accounts: a test reading two models names the one it checks)
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'stg_brand_accounts'}}}) }}
-- Blogs are left out: a blog author's id is a login of one site, not an account of the
-- platform (the sample's blogs each have a login "equipo", one per brand's site).
with authors as (
    select distinct platform, author_id, lower(ltrim(author_handle, '@')) as handle
    from {{ ref('int_message_keys') }}
    where platform <> 'blog'
),

keyed as (
    select u.platform, u.author_id, a.brand_id, a.account
    from authors as u
    inner join {{ ref('stg_brand_accounts') }} as a on a.platform = u.platform and a.account = u.handle
    union
    select u.platform, u.author_id, a.brand_id, a.account
    from authors as u
    inner join {{ ref('stg_brand_accounts') }} as a on a.platform = u.platform and a.account = lower(u.author_id)
)

select
    platform,
    author_id,
    string_agg(distinct brand_id, ', ' order by brand_id) as brand_ids,
    string_agg(distinct account, ', ' order by account) as accounts
from keyed
group by platform, author_id
having count(distinct brand_id) > 1
