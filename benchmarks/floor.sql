-- The engine floor (issue 8): what DuckDB alone needs to turn the archives into brand x day
-- cases, responded_cases and median_first_response_min, with no framework around it.
--
-- Variables (SET VARIABLE before running the script):
--   archive_globs the archive's JSON and JSON-lines files, e.g. ['/s/*/**/*.json', '/s/*/**/*.jsonl']
--   brands_json   JSON lines, one brand a line: {brand_id, timezone, x_accounts: [..], aliases: [..]}
--   window_days   the response window in days (7)
--
-- Scope: X API v2 pages only (a JSON object, alone in a file or one a line, with "meta" and no
-- "paging"; Facebook pages have "paging", Jetstream events neither). WXR and Disqus are XML (DuckDB has no XML reader), twcs, Bluesky and Facebook are
-- left out to keep the script one format. Within X v2 the floor follows docs/metrics.md: every
-- tweet of data and includes.tweets is a message, once per id; retweets are not messages;
-- records without id, author_id, text or a parseable created_at are dropped; an edited tweet
-- is its first id with its first created_at (the ids it replies to are taken as written).
-- cases and responded_cases count every case (the floor classifies nothing, so it cannot
-- tell actionable cases): the benchmark compares them with the pipeline's care_cases opened by
-- a message read from an X API v2 file.

create or replace temp table brands as
select * from read_json(getvariable('brands_json'), format = 'newline_delimited',
    columns = {brand_id: 'varchar', timezone: 'varchar', x_accounts: 'varchar[]', aliases: 'varchar[]'});

create or replace temp table pages as
select json as page
from read_json_objects(getvariable('archive_globs'), format = 'auto', maximum_object_size = 1073741824,
                       ignore_errors = true)  -- a truncated line (Bluesky's sample has one) is not X
where json_exists(json, '$.meta') and not json_exists(json, '$.paging');

create or replace temp table users as
select u ->> 'id' as author_id, lower(last(u ->> 'username')) as handle
from (select unnest((page -> '$.includes.users')::json[]) as u from pages)
group by all;

create or replace temp table tweets as
with raw as (
    select unnest((page -> '$.data')::json[]) as t from pages
    union all
    select unnest(coalesce((page -> '$.includes.tweets')::json[], [])) from pages
),
fields as (
    select
        t ->> 'id' as id,
        coalesce(t ->> '$.edit_history_tweet_ids[0]', t ->> 'id') as message_id,
        t ->> 'author_id' as author_id,
        try_cast(t ->> 'created_at' as timestamptz) as created_at,
        t ->> 'conversation_id' as conversation_id,
        t ->> 'in_reply_to_user_id' as in_reply_to_user_id,
        t ->> 'text' as text,
        json_extract_string(t, '$.referenced_tweets[*].type') as ref_types,
        json_extract_string(t, '$.referenced_tweets[*].id') as ref_ids,
        list_concat(list_transform(json_extract_string(t, '$.entities.mentions[*].username'), lambda h: lower(h)),
                    json_extract_string(t, '$.entities.mentions[*].id')) as mentions
    from raw
)
select
    message_id,
    any_value(author_id) as author_id,
    min(created_at) as created_at,
    any_value(conversation_id) as conversation_id,
    any_value(in_reply_to_user_id) as in_reply_to_user_id,
    arg_max(text, created_at) as text,
    any_value(ref_ids[list_position(ref_types, 'replied_to')]) as parent_id,
    any_value(ref_ids[list_position(ref_types, 'quoted')]) as quoted_id,
    arg_max(mentions, created_at) as mentions
from fields
where id is not null and author_id is not null and created_at is not null and text is not null
  and not coalesce(list_contains(ref_types, 'retweeted'), false)
group by message_id;

create or replace temp table accounts as
select brand_id, lower(ltrim(unnest(x_accounts), '@')) as account from brands;

create or replace temp table messages as
select t.*, (select min(a.brand_id) from accounts as a where a.account in (u.handle, lower(t.author_id))) as brand_id
from tweets as t
left join users as u using (author_id);

-- a brand account is known by its handle and by the user ids it posts under
create or replace temp table account_keys as
select brand_id, account from accounts
union
select brand_id, lower(author_id) from messages where brand_id is not null;

create or replace temp table addressed as
with customer as (
    select m.*, p.message_id is null and m.parent_id is not null as parent_missing,
           p.brand_id as parent_brand, q.brand_id as quoted_brand,
           -- whole words, case- and accent-insensitive: words padded with spaces, matched as substrings
           ' ' || regexp_replace(lower(strip_accents(m.text)), '[^\p{L}\p{N}_]+', ' ', 'g') || ' ' as words
    from messages as m
    left join messages as p on p.message_id = m.parent_id
    left join messages as q on q.message_id = m.quoted_id
    where m.brand_id is null
)
select c.message_id, k.brand_id
from customer as c, unnest(c.mentions) as u(account)
inner join account_keys as k on k.account = u.account
union
select c.message_id, a.brand_id
from customer as c
inner join (
    select brand_id, ' ' || trim(regexp_replace(lower(strip_accents(alias)), '[^\p{L}\p{N}_]+', ' ', 'g')) || ' ' as words
    from (select brand_id, unnest(aliases) as alias from brands)
) as a on contains(c.words, a.words)
union
select message_id, parent_brand from customer where parent_brand is not null
union
select c.message_id, k.brand_id from customer as c
inner join account_keys as k on c.parent_missing and k.account = lower(c.in_reply_to_user_id)
union
select message_id, quoted_brand from customer where quoted_brand is not null;

create or replace temp table cases as
with openers as (
    select m.conversation_id, a.brand_id, m.author_id as customer_id, m.created_at
    from addressed as a
    inner join messages as m using (message_id)
    union all
    select p.conversation_id, r.brand_id, p.author_id, p.created_at
    from messages as r
    inner join messages as p on p.message_id = r.parent_id
    where r.brand_id is not null and p.brand_id is null and r.conversation_id = p.conversation_id
)
select conversation_id, brand_id, customer_id, min(created_at) as opened_at
from openers
group by all;

create or replace temp table first_responses as
with replies as (
    -- a brand reply: the brand's message in the case's conversation, at or after opened_at,
    -- whose parent is the customer's (or, the parent missing, that replies to the customer)
    select c.conversation_id, c.brand_id, c.customer_id, min(r.created_at) as first_response_at
    from cases as c
    inner join messages as r
        on r.brand_id = c.brand_id
        and r.conversation_id = c.conversation_id
        and r.created_at >= c.opened_at
        and r.created_at <= c.opened_at + to_days(getvariable('window_days')::integer)
    left join messages as p on p.message_id = r.parent_id
    where (p.message_id is not null and p.brand_id is null and p.author_id = c.customer_id)
       or (p.message_id is null and r.parent_id is not null and r.in_reply_to_user_id = c.customer_id)
    group by all
)
select c.brand_id, c.opened_at, r.first_response_at
from cases as c
left join replies as r using (conversation_id, brand_id, customer_id);

select
    f.brand_id,
    cast(timezone(b.timezone, f.opened_at) as date) as day,
    count(*) as cases,
    count(f.first_response_at) as responded_cases,
    median(epoch(f.first_response_at - f.opened_at) / 60) as median_first_response_min
from first_responses as f
inner join brands as b using (brand_id)
group by all
order by brand_id, day;
