-- Customer message x brand it addresses, and how (METRICS.md "addresses a brand").
-- Brand messages never address a brand.
with customer_messages as (
    select * from {{ ref('int_messages_attributed') }} where not is_brand
),

account_keys as (
    select * from {{ ref('int_brand_account_keys') }}
),

by_mention as (
    select c.message_id, k.brand_id, 'mention' as addressed_by
    from customer_messages as c
    cross join unnest(c.mentions) as u(account)
    inner join account_keys as k on k.platform = c.platform and k.account = u.account
),

by_alias as (
    -- whole word, case- and accent-insensitive; a boundary is anything but a letter, digit or _.
    -- Both sides become space-separated words padded with spaces, so a plain substring test
    -- is a whole-word (or whole-phrase) match, and no regex is compiled per pair.
    select c.message_id, a.brand_id, 'alias' as addressed_by
    from (
        select message_id, ' ' || regexp_replace(lower(strip_accents(text)), '[^\p{L}\p{N}_]+', ' ', 'g') || ' ' as words
        from customer_messages
    ) as c
    inner join (
        select brand_id, ' ' || trim(regexp_replace(alias_folded, '[^\p{L}\p{N}_]+', ' ', 'g')) || ' ' as words
        from {{ ref('stg_brand_aliases') }}
    ) as a on contains(c.words, a.words)
),

by_reply as (
    select c.message_id, p.author_brand_id as brand_id, 'reply' as addressed_by
    from customer_messages as c
    inner join {{ ref('int_messages_attributed') }} as p on p.message_id = c.parent_id
    where p.is_brand
),

by_reply_to_user as (
    -- the parent is not in the archives: the source's in-reply-to user tells whom it answers
    select c.message_id, k.brand_id, 'reply' as addressed_by
    from customer_messages as c
    inner join account_keys as k
        on k.platform = c.platform and k.account = lower(c.in_reply_to_author_id)
    where c.parent_missing
),

by_quote as (
    select c.message_id, q.author_brand_id as brand_id, 'quote' as addressed_by
    from customer_messages as c
    inner join {{ ref('int_messages_attributed') }} as q on q.message_id = c.quoted_id
    where q.is_brand
),

by_owned_post as (
    -- a comment on a post or page owned by the brand (comment platforms only)
    select c.message_id, k.brand_id, 'comment' as addressed_by
    from customer_messages as c
    inner join account_keys as k on k.platform = c.platform and k.account = lower(c.thread_owner)
    where c.platform in ('blog', 'facebook')
    union all
    select c.message_id, r.author_brand_id, 'comment'
    from customer_messages as c
    inner join {{ ref('int_messages_attributed') }} as r on r.message_id = c.conversation_id
    where c.platform in ('blog', 'facebook') and r.is_brand
),

all_ways as (
    select * from by_mention
    union all select * from by_alias
    union all select * from by_reply
    union all select * from by_reply_to_user
    union all select * from by_quote
    union all select * from by_owned_post
)

select
    message_id,
    brand_id,
    list_sort(list_distinct(list(addressed_by))) as addressed_by
from all_ways
group by message_id, brand_id
