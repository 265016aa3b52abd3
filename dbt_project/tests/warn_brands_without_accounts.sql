-- Brands of the registry that list no account: none of their replies can be told from a
-- customer's, so every case addressed to them reads unanswered (response rate 0, ranked): a
-- warning, not an error (a brand followed for its mentions alone is a choice). QA: such a brand
-- was ranked with response_rate 0.0 and care_score 0.0 and nothing said why.
-- (an asset check of stg_brands: a test reading two models names the one it checks)
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'stg_brands'}}}) }}
select b.brand_id
from {{ ref('stg_brands') }} as b
anti join {{ ref('stg_brand_accounts') }} as a using (brand_id)
