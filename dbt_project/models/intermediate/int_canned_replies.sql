-- A brand reply is canned when at least var('canned_min_replies') brand replies of the same
-- brand in the same calendar month (brand's time zone), itself included, have a normalised
-- text whose word-set Jaccard similarity with its own is >= var('canned_similarity').
-- Texts are compared once per pair of distinct texts, weighted by how many replies share each.
--
-- No pairwise join: only pairs of texts that can reach the threshold are compared (prefix and
-- length filtering). Order a brand-month's words by rarity (texts holding them, then the word);
-- a text of n words keeps its n - ceil(t * n) + 1 rarest words as its prefix. Two sets with
-- Jaccard >= t share at least ceil(t * max(|A|, |B|)) words, so their prefixes share a word,
-- and |B| >= t |A|. Candidates are then checked with the exact Jaccard: the result is the
-- pairwise definition's, at a cost that follows the pairs sharing a rare word.
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
        row_number() over (order by brand_id, month, canned_text) as text_id,
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
    select
        *,
        len(words) as word_count,
        -- the -1e-9 keeps an exact t * n (0.8 * 5) from rounding up: a longer prefix is only slower
        len(words) - ceil(len(words) * {{ similarity }} - 1e-9)::bigint + 1 as prefix_length
    from texts
),

text_words as (
    select text_id, brand_id, month, word_count, prefix_length, unnest(words) as word
    from sized
),

prefix_words as (
    select text_id, brand_id, month, word_count, word
    from (
        select *, count(*) over (partition by brand_id, month, word) as texts_with_word
        from text_words
    )
    qualify row_number() over (partition by text_id order by texts_with_word, word) <= prefix_length
),

candidates as (
    select distinct a.text_id as text_a, b.text_id as text_b
    from prefix_words as a
    inner join prefix_words as b
        on b.brand_id = a.brand_id
        and b.month = a.month
        and b.word = a.word
        -- Jaccard <= smaller set / larger set: pairs of very different lengths cannot qualify
        and b.word_count >= a.word_count * {{ similarity }} - 1e-9
        and a.word_count >= b.word_count * {{ similarity }} - 1e-9
),

similar_texts as (
    select
        a.brand_id,
        a.month,
        a.canned_text,
        sum(b.replies) as similar_replies
    from candidates as c
    inner join sized as a on a.text_id = c.text_a
    inner join sized as b on b.text_id = c.text_b
    where a.text_id = b.text_id
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
