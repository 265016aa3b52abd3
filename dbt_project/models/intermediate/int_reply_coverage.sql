-- Per platform, how many replies answer a message the archives hold. A personal archive holds
-- one side of its conversations, a sample (twcs_small, a search over a few days) cuts them:
-- a reply whose parent is missing then starts a conversation of its own, so a customer's
-- follow-up opens a case of its own, and a brand reply to a missing message answers no case.
-- A missing parent that is the conversation's root, named by the source (the post of a page of
-- Facebook comments, the root of an X or Bluesky thread), cuts nothing: the conversation holds
-- together, so it is not counted as missing.
-- `cut`: more than half of the platform's replies (and at least 20) miss their parent; the run
-- warns (tests/warn_conversations_cut.sql) and the report says so beside the rates.
with replies as (
    select
        platform,
        is_brand,
        parent_missing and coalesce(parent_id != conversation_id, true) as cut_off
    from {{ ref('int_messages_attributed') }}
    where parent_id is not null
)

select
    platform,
    count(*) as replies,
    count(*) filter (where cut_off) as replies_parent_missing,
    count(*) filter (where is_brand) as brand_replies,
    count(*) filter (where is_brand and cut_off) as brand_replies_parent_missing,
    count(*) >= 20 and count(*) filter (where cut_off) > 0.5 * count(*) as cut
from replies
group by platform
