-- A brand reply is canned when at least var('canned_min_replies') brand replies of the same
-- brand in the same calendar month (brand's time zone), itself included, have a normalised
-- text whose word-set Jaccard similarity with its own is >= var('canned_similarity').
-- Texts are compared once per pair of distinct texts, weighted by how many replies share each.
--
-- No pairwise join: only pairs of texts that can reach the threshold are compared (prefix and
-- length filtering). Order a brand-month's words by rarity (texts holding them, then the word);
-- a text of n words keeps its n - ceil(t * n) + 1 rarest words as its prefix. Two sets with
-- Jaccard >= t share at least ceil(t * max(|A|, |B|)) words, so their prefixes share a word,
-- and |B| >= t |A|; the rarest word they share is the first shared word of both, and only
-- the words after it can be shared too (positional filter: they need t (|A| + |B|) / (1 + t)
-- shared words). Each candidate pair (once per unordered pair) is then checked with the
-- exact Jaccard: the result is the pairwise definition's, at a cost that follows the pairs
-- sharing a rare word (tests/test_canned_replies.py compares it with a pairwise oracle).
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
    select text_id, brand_id, month, word_count, word, position
    from (
        select
            *,
            row_number() over (partition by text_id order by texts_with_word, word) as position
        from (
            select *, count(*) over (partition by brand_id, month, word) as texts_with_word
            from text_words
        ) as counted
    ) as ranked
    where position <= prefix_length
),

candidates as (
    -- each unordered pair once (a <= b): Jaccard is symmetric
    select a.text_id as text_a, b.text_id as text_b
    from prefix_words as a
    inner join prefix_words as b
        on
            b.brand_id = a.brand_id
            and b.month = a.month
            and b.word = a.word
            and b.text_id >= a.text_id
            -- Jaccard <= smaller set / larger set: pairs of very different lengths cannot qualify
            and b.word_count >= a.word_count * {{ similarity }} - 1e-9
            and a.word_count >= b.word_count * {{ similarity }} - 1e-9
    group by a.text_id, b.text_id, a.word_count, b.word_count
    -- positions: the first shared word is the rarest; only the words after it can be shared too
    having
        1 + least(a.word_count - min(a.position), b.word_count - min(b.position))
        >= {{ similarity }} * (a.word_count + b.word_count) / (1 + {{ similarity }}) - 1e-9
),

similar_pairs as (
    -- shared words of each candidate pair, counted by a join on (text, word)
    select c.text_a, c.text_b
    from candidates as c
    inner join text_words as wa on wa.text_id = c.text_a
    inner join text_words as wb on wb.text_id = c.text_b and wb.word = wa.word
    group by c.text_a, c.text_b, wa.word_count, wb.word_count
    having count(*) / (wa.word_count + wb.word_count - count(*)) >= {{ similarity }}
),

similar_texts as (
    select
        t.brand_id,
        t.month,
        t.canned_text,
        sum(other.replies) as similar_replies
    from (
        select text_a as text_id, text_b as other_id from similar_pairs
        union all
        select text_b, text_a from similar_pairs where text_a <> text_b
    ) as p
    inner join sized as t on t.text_id = p.text_id
    inner join sized as other on other.text_id = p.other_id
    group by t.brand_id, t.month, t.canned_text
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
