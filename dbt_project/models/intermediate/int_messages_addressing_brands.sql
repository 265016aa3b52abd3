-- Customer message x brand it addresses, and how (docs/metrics.md#addresses-a-brand).
-- A mention is a mention entity / facet on the brand account's platform, or an @handle in the
-- text on any platform that one of the brand's accounts (on any platform) uses.
-- Brand messages never address a brand.
-- read where it is used (each way reads a few columns), never materialised: a copy of every
-- column of every customer message spills at 10 million messages
with customer_messages as not materialized (
    select * from {{ ref('int_messages_attributed') }} where not is_brand
),

account_keys as (
    select * from {{ ref('int_brand_account_keys') }}
),

message_texts as materialized (
    select message_id, ' ' || regexp_replace(lower(strip_accents(text)), '[^\p{L}\p{N}_]+', ' ', 'g') || ' ' as words
    from customer_messages
),

registry_words as (
    -- an alias (or an exclusion) with no letter or digit names nothing
    select brand_id, kind, ' ' || folded || ' ' as words, split_part(folded, ' ', 1) as first_word
    from (
        select brand_id, kind, trim(regexp_replace(alias_folded, '[^\p{L}\p{N}_]+', ' ', 'g')) as folded
        from {{ ref('stg_brand_aliases') }}
    )
    where folded <> ''
),

alias_words as (
    select brand_id, words, first_word from registry_words where kind = 'alias'
),

message_words as (
    -- the words of each message that start an alias
    select distinct message_id, word
    from (select message_id, unnest(string_split(trim(words), ' ')) as word from message_texts) as w
    where word in (select first_word from alias_words)
),

by_mention as (
    select c.message_id, k.brand_id, 'mention' as addressed_by
    from customer_messages as c
    cross join unnest(c.mentions) as u (account)
    inner join account_keys as k on k.platform = c.platform and k.account = u.account
),

by_handle_in_text as (
    -- an @handle written in the text, on any platform, addresses the brand that lists that
    -- handle for any platform ("Me quedo con @DecathlonES" in a blog comment). The handle ends
    -- on a letter, digit or _ (a sentence's full stop is not part of it); an e-mail address
    -- (a word character or '.' before the '@') is not a handle.
    select c.message_id, k.brand_id, 'mention' as addressed_by
    from (
        select message_id, unnest(regexp_extract_all(lower(text), '(?:^|[^\w@.])@(\w[\w.-]*\w|\w)', 1)) as account
        from customer_messages
    ) as c
    inner join account_keys as k on k.account = c.account
),

by_alias as (
    -- whole word, case- and accent-insensitive; a boundary is anything but a letter, digit or _.
    -- Both sides become space-separated words padded with spaces, so a plain substring test
    -- is a whole-word (or whole-phrase) match, and no regex is compiled per pair. The test runs
    -- only on the messages holding the alias's first word (an equi-join): testing every message
    -- against every alias grows with messages x brands (45 s of a 1M-message build).
    select distinct c.message_id, a.brand_id, 'alias' as addressed_by
    from alias_words as a
    inner join message_words as w on w.word = a.first_word
    inner join message_texts as c on c.message_id = w.message_id
    where
        contains(c.words, a.words)
        -- unless the message holds one of the brand's phrases in which an alias names something
        -- else ("ala delta", "Estadio BBVA"): QA, 83 of 281 alias matches of real messages
        and not exists (
            select 1 from registry_words as e
            where e.kind = 'exclusion' and e.brand_id = a.brand_id and contains(c.words, e.words)
        )
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

by_quote_of_account as (
    -- the quoted post is not in the archives: a Bluesky post's id names its author (its at://
    -- URI's DID), as the in-reply-to user does for a missing parent (QA: a customer's quote of a
    -- brand post, read from the brand's notifications, addressed no brand)
    select c.message_id, k.brand_id, 'quote' as addressed_by
    from customer_messages as c
    inner join account_keys as k
        on k.platform = c.platform and k.account = lower(regexp_extract(c.quoted_id, '^bluesky:([^/]+)/', 1))
    where
        c.platform = 'bluesky'
        and not exists (select 1 from {{ ref('int_messages_attributed') }} as q where q.message_id = c.quoted_id)
),

by_owned_post as (
    -- a comment on a post or page owned by the brand (comment platforms only)
    select c.message_id, k.brand_id, 'comment' as addressed_by
    from customer_messages as c
    inner join account_keys as k on k.platform = c.platform and k.account = lower(c.thread_owner)
    where c.platform in ('blog', 'facebook')
    union all
    select c.message_id, r.author_brand_id as brand_id, 'comment' as addressed_by
    from customer_messages as c
    inner join {{ ref('int_messages_attributed') }} as r on r.message_id = c.conversation_id
    where c.platform in ('blog', 'facebook') and r.is_brand
),

all_ways as (
    select * from by_mention
    union all
    select * from by_handle_in_text
    union all
    select * from by_alias
    union all
    select * from by_reply
    union all
    select * from by_reply_to_user
    union all
    select * from by_quote
    union all
    select * from by_quote_of_account
    union all
    select * from by_owned_post
),

addressed as (
    select message_id, brand_id, list_sort(list_distinct(list(addressed_by))) as addressed_by
    from all_ways
    group by message_id, brand_id
),

-- Per-brand sentiment of a message addressing several brands: the classifier split its text
-- into clauses (at contrast words and sentence ends) and gave each its own sentiment.
clauses as (
    select
        u.message_id,
        u.i,
        struct_extract(u.clause, 'sentiment') as sentiment,
        struct_extract(u.clause, 'sentiment_score') as sentiment_score,
        ' ' || regexp_replace(struct_extract(u.clause, 'text'), '[^\p{L}\p{N}_@]+', ' ', 'g') || ' ' as words
    from (
        select
            message_id,
            generate_subscripts(clauses, 1) as i,
            unnest(clauses) as clause
        from customer_messages
        where
            clauses is not null
            and message_id in (select message_id from addressed group by message_id having count(*) > 1)
    ) as u
),

names as (
    -- what names a brand in a clause: '@' and one of its account keys, or one of its aliases
    select brand_id, ' ' || trim(regexp_replace('@' || account, '[^\p{L}\p{N}_@]+', ' ', 'g')) || ' ' as words
    from account_keys
    union
    select brand_id, words from alias_words
),

named as (
    -- clause x brand it names, among the brands its message addresses
    select distinct c.message_id, c.i, a.brand_id
    from clauses as c
    inner join addressed as a on a.message_id = c.message_id
    inner join names as n on n.brand_id = a.brand_id and contains(c.words, n.words)
),

owned as (
    -- a clause naming no brand is about the brands of the latest clause before it that names one
    select
        c.*,
        max(f.i) over (partition by c.message_id order by c.i rows between unbounded preceding and current row)
            as owner_i
    from clauses as c
    left join (select distinct message_id, i from named) as f on f.message_id = c.message_id and f.i = c.i
),

brand_clauses as (
    -- the brand's most opinionated clause (largest |score|; the first on a tie)
    select
        o.message_id,
        n.brand_id,
        first(o.sentiment order by abs(o.sentiment_score) desc, o.i) as brand_sentiment,
        first(o.sentiment_score order by abs(o.sentiment_score) desc, o.i) as brand_sentiment_score
    from owned as o
    inner join named as n on n.message_id = o.message_id and n.i = o.owner_i
    group by o.message_id, n.brand_id
)

select a.message_id, a.brand_id, a.addressed_by, b.brand_sentiment, b.brand_sentiment_score
from addressed as a
left join brand_clauses as b using (message_id, brand_id)
