-- Per platform and month (UTC, of the reply), how many replies answer a message the archives
-- hold. A personal archive holds one side of its conversations, a sample (twcs_small, a search
-- over a few days) cuts them: a reply whose parent is missing then starts a conversation of its
-- own, so a customer's follow-up opens a case of its own, and a brand reply to a missing message
-- answers no case. A missing parent that is the conversation's root, named by the source (the
-- post of a page of Facebook comments, the root of an X or Bluesky thread), cuts nothing: the
-- conversation holds together, so it is not counted as missing.
-- Cut: more than half of at least 20 replies miss their parent. `cut` judges the month,
-- `platform_cut` the platform's whole history: a month cut inside a well-linked history (one
-- search export among complete ones) is cut all the same, and a sparse history (a personal
-- archive over years, a few replies a month) is judged as a whole. The run warns on either
-- (tests/warn_conversations_cut.sql) and the report says so beside the rates.
with replies as (
    select
        platform,
        date_trunc('month', created_at)::date as month,
        is_brand,
        parent_missing and coalesce(parent_id != conversation_id, true) as cut_off
    from {{ ref('int_messages_attributed') }}
    -- a reply to its own author (a thread of posts) is no conversation with anyone: left out, as
    -- an owner's archive holds each of its threads whole and made its cut replies to others look
    -- half of all (QA: 406 of 819 replies, every one to another account, and no warning)
    where parent_id is not null and coalesce(in_reply_to_author_id != author_id, true)
),

months as (
    select
        platform,
        month,
        count(*) as replies,
        count(*) filter (where cut_off) as replies_parent_missing,
        count(*) filter (where is_brand) as brand_replies,
        count(*) filter (where is_brand and cut_off) as brand_replies_parent_missing
    from replies
    group by platform, month
)

select
    *,
    replies >= 20 and replies_parent_missing > 0.5 * replies as cut,
    sum(replies) over platform_months >= 20
    and sum(replies_parent_missing) over platform_months > 0.5 * sum(replies) over platform_months as platform_cut
from months
window platform_months as (partition by platform)
