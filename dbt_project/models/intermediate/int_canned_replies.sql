-- A brand reply is canned when at least var('canned_min_replies') brand replies of the same
-- brand in the same calendar month (brand's time zone), itself included, have a normalised
-- text whose word-set Jaccard similarity with its own is >= var('canned_similarity').
-- Texts are compared once per pair of distinct texts, weighted by how many replies share each.
{% set similarity = var('canned_similarity') %}
with replies as (
    select distinct
        r.reply_id,
        r.brand_id,
        {{ local_period_start('r.created_at', 'b.timezone', "'month'") }} as month,
        r.canned_text
    from {{ ref('int_case_brand_replies') }} as r
    inner join {{ ref('stg_brands') }} as b using (brand_id)
),

texts as (
    -- canned_text is already whitespace-collapsed (pipelines/classify.py), so ' ' splits words
    select
        brand_id,
        month,
        canned_text,
        count(*) as replies,
        list_distinct(string_split(canned_text, ' ')) as words
    from replies
    where canned_text <> ''
    group by brand_id, month, canned_text
),

sized as (
    select *, len(words) as word_count from texts
),

similar_texts as (
    select
        a.brand_id,
        a.month,
        a.canned_text,
        sum(b.replies) as similar_replies
    from sized as a
    inner join sized as b
        on b.brand_id = a.brand_id
        and b.month = a.month
        -- Jaccard <= smaller set / larger set: pairs of very different lengths cannot qualify
        and b.word_count >= a.word_count * {{ similarity }} - 1e-9
        and a.word_count >= b.word_count * {{ similarity }} - 1e-9
    where a.canned_text = b.canned_text
       or len(list_intersect(a.words, b.words))
          / (a.word_count + b.word_count - len(list_intersect(a.words, b.words)))
          >= {{ similarity }}
    group by a.brand_id, a.month, a.canned_text
)

select
    r.reply_id,
    r.brand_id,
    r.month,
    r.canned_text,
    coalesce(s.similar_replies, 0) as similar_replies,
    coalesce(s.similar_replies >= {{ var('canned_min_replies') }}, false) as is_canned
from replies as r
left join similar_texts as s using (brand_id, month, canned_text)
