-- Every canonical message with its classifications and the brands it addresses: what an
-- analyst reads to see why a number is what it is.
select
    m.message_id,
    m.platform,
    m.native_id,
    m.conversation_id,
    m.parent_id,
    m.parent_missing,
    m.quoted_id,
    m.author_id,
    m.author_handle,
    m.is_brand,
    m.author_brand_id,
    coalesce(a.addressed_brand_ids, []::varchar[]) as addressed_brand_ids,
    m.created_at,
    m.text,
    m.lang,
    m.sentiment,
    m.sentiment_score,
    m.intent,
    m.deflection,
    m.signoff,
    m.url,
    m.versions,
    m.deleted,
    m.archive_sha256
from {{ ref('int_messages_attributed') }} as m
left join (
    select message_id, list_sort(list(brand_id)) as addressed_brand_ids
    from {{ ref('int_messages_addressing_brands') }}
    group by message_id
) as a using (message_id)
