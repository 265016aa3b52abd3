-- Per platform, how many replies answer a message the archives hold. A personal archive holds
-- one side of its conversations, a sample (twcs_small, a search over a few days) cuts them:
-- a reply whose parent is missing then starts a conversation of its own, so a customer's
-- follow-up opens a case of its own, and a brand reply to a missing message answers no case.
-- `cut`: more than half of the platform's replies (and at least 20) miss their parent; the run
-- warns (tests/warn_conversations_cut.sql) and the report says so beside the rates.
select
    platform,
    count(*) filter (where parent_id is not null) as replies,
    count(*) filter (where parent_missing) as replies_parent_missing,
    count(*) filter (where is_brand and parent_id is not null) as brand_replies,
    count(*) filter (where is_brand and parent_missing) as brand_replies_parent_missing,
    count(*) filter (where parent_missing) > 0.5 * count(*) filter (where parent_id is not null)
    and count(*) filter (where parent_id is not null) >= 20 as cut
from {{ ref('int_messages_attributed') }}
group by platform
