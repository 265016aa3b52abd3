-- Reposts / retweets: not messages, counted as amplification of the message they repeat.
-- A repost that names no id of what it repeats (a TAGS row, a personal archive's "RT @handle:
-- text") repeats the newest message of that handle on its platform, posted before it, whose
-- text is the rest of the repost's text, or, when either text is cut (is_cut_text: "…", or "…"
-- and a link), whose text begins with what the cut one keeps (at least 20 characters; TAGS cuts
-- an original and its retweets at 140 characters, at different points). It repeats nothing
-- known when no such message is held.
with reposts as (
    select r.version_id, r.platform, r.author_id, r.created_at, r.reposted_id, r.text
    from {{ ref('stg_lake__message_rows') }} as r
    where r.kind = 'repost'
),

unnamed as (
    select distinct
        version_id,
        platform,
        created_at,
        lower(regexp_extract(text, '^RT @(\w+): ', 1)) as handle,
        regexp_replace(text, '^RT @\w+: ', '') as repeated_text
    from reposts
    where reposted_id is null and regexp_matches(text, '^RT @\w+: ')
),

-- the repost's side of the comparison, once per repost rather than once per candidate message
unnamed_cut as (
    select
        *,
        {{ is_cut_text('repeated_text') }} as repeated_is_cut,
        {{ uncut_part('repeated_text') }} as repeated_kept
    from unnamed
),

named_by_text as (
    select
        u.version_id,
        arg_max(m.message_id, (m.created_at, m.message_id)) as message_id
    from unnamed_cut as u
    inner join {{ ref('int_messages_deduplicated') }} as m
        on
            m.platform = u.platform
            and lower(m.author_handle) = u.handle
            and m.created_at <= u.created_at
            and (
                m.text = u.repeated_text
                or (
                    least(length({{ uncut_part('m.text') }}), length(u.repeated_kept)) >= 20
                    and (
                        -- what a cut text keeps begins the other one (or what is left of it)
                        (u.repeated_is_cut and starts_with({{ uncut_part('m.text') }}, u.repeated_kept))
                        or (
                            {{ is_cut_text('m.text') }}
                            and starts_with(u.repeated_kept, {{ uncut_part('m.text') }})
                        )
                    )
                )
            )
    group by u.version_id
)

select
    r.version_id as repost_id,
    r.platform,
    r.author_id,
    min(r.created_at) as created_at,
    coalesce(min(v.message_id), min(r.reposted_id), min(t.message_id)) as reposted_message_id
from reposts as r
left join {{ ref('int_message_versions') }} as v on v.version_id = r.reposted_id
left join named_by_text as t on t.version_id = r.version_id
group by r.version_id, r.platform, r.author_id
