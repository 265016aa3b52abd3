-- Brand replies whose normalised text (pipelines/classify.py: lower case, accents, handles,
-- URLs, numbers and agent sign-offs removed) is shared by at least
-- var('canned_min_replies') replies of the same brand in the same calendar month
-- (the brand's time zone).
with replies as (
    select distinct r.reply_id, r.brand_id, r.canned_text, {{ local_period_start('r.created_at', 'b.timezone', "'month'") }} as month
    from {{ ref('int_case_brand_replies') }} as r
    inner join {{ ref('stg_brands') }} as b using (brand_id)
)

select
    reply_id,
    brand_id,
    month,
    canned_text,
    canned_text <> ''
        and count(*) over (partition by brand_id, month, canned_text) >= {{ var('canned_min_replies') }} as is_canned
from replies
