-- Every canonical row of every archive, within the run's half-open date window.
select
    message_id,
    version_id,
    platform,
    native_id,
    kind,
    conversation_id,
    parent_id,
    quoted_id,
    reposted_id,
    author_id,
    author_handle,
    author_followers,
    in_reply_to_author_id,
    mentions,
    thread_owner,
    created_at,
    text,
    lang,
    url,
    deleted,
    sentiment,
    sentiment_score,
    intent,
    is_thanks,
    deflection,
    signoff,
    canned_text,
    archive_sha256,
    position
from {{ source('lake', 'message_rows') }}
where created_at >= cast('{{ var("min_date") }}' as date)
  and created_at < cast('{{ var("max_date") }}' as date)
