-- Accounts of the brand registry that wrote no message the archives hold, on a platform the
-- archives cover (an account of a platform without archives is not one): a warning, not an
-- error. Most often a typo in the registry (the handle or id as the platform writes it), which
-- silently turns every reply of that account into a customer's message and the brand's
-- response rate into 0; or archives that hold the customers' side only.
-- (an asset check of stg_brand_accounts: a test reading two models names the one it checks)
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'stg_brand_accounts'}}}) }}
with covered as (
    select distinct platform from {{ ref('int_author_profiles') }}
),

-- every handle an author wrote under, not the latest alone: a blog's author writes posts under
-- their login and comments under the name they show, and the registry lists both (QA)
authors as (
    select distinct platform, lower(ltrim(author_handle, '@')) as account
    from {{ ref('stg_lake__message_rows') }}
    where author_handle is not null
    union all
    select platform, lower(author_id) as account
    from {{ ref('int_author_profiles') }}
)

select a.brand_id, a.platform, a.account
from {{ ref('stg_brand_accounts') }} as a
semi join covered using (platform)
anti join authors using (platform, account)
