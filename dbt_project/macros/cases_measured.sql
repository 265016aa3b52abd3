{% macro case_replies() %}
{#- Per case with brand replies: the first reply within the response window, and whether a
    reply within it deflected (int_case_brand_replies). -#}
    select
        case_id,
        min(created_at) filter (where within_window) as first_response_at,
        coalesce(bool_or(deflection is not null) filter (where within_window), false) as deflected
    from {{ ref('int_case_brand_replies') }}
    group by case_id
{% endmacro %}


{% macro case_fields(cases) %}
{#- int_cases_measured's fields of the cases in the relation `cases` (rows of int_cases_opened)
    that need no business calendar: every input of a case but its brand's open intervals, whose
    digest is calendar_key (a case's business minutes and off-hours flag are functions of its
    opened_at, first_response_at and calendar). -#}
    with replies as (
        {{ case_replies() }}
    ),

    answered as (
        select c.*, r.first_response_at, coalesce(r.deflected, false) as deflected
        from {{ cases }} as c
        left join replies as r using (case_id)
    ),

    last_customer_word as (
        -- the customer's last message in the conversation after the first brand reply
        select
            a.case_id,
            last(m.sentiment order by m.created_at, m.message_id) as sentiment,
            last(m.is_thanks order by m.created_at, m.message_id) as is_thanks
        from answered as a
        inner join {{ ref('int_messages_attributed') }} as m
            on
                m.conversation_id = a.conversation_id
                and m.author_id = a.customer_id
                and m.platform = a.platform
                and m.created_at > a.first_response_at
        group by a.case_id
    )

    select
        a.case_id,
        a.brand_id,
        a.platform,
        a.conversation_id,
        a.customer_id,
        m.author_handle as customer_handle,
        a.opened_message_id,
        a.opened_at,
        m.intent,
        -- a message addressing several brands: the sentiment of the clauses about this brand
        coalesce(a.brand_sentiment, m.sentiment) as opening_sentiment,
        coalesce(a.brand_sentiment_score, m.sentiment_score) as opening_sentiment_score,
        m.intent in ('complaint', 'question') as is_actionable,
        a.first_response_at,
        a.first_response_at is not null as responded,
        a.deflected,
        a.first_response_at is not null
        and coalesce(l.sentiment = 'positive' or l.is_thanks, false) as resolved,
        coalesce(
            coalesce(a.brand_sentiment, m.sentiment) = 'negative' and a.first_response_at is not null
            and l.sentiment <> 'negative', false
        ) as recovered,
        f.author_followers,
        m.text as opened_text,
        m.url as opened_url,
        b.calendar_key
    from answered as a
    inner join {{ ref('int_messages_attributed') }} as m on m.message_id = a.opened_message_id
    left join last_customer_word as l using (case_id)
    left join {{ ref('int_author_profiles') }} as f on f.platform = a.platform and f.author_id = a.customer_id
    left join {{ ref('stg_brands') }} as b on b.brand_id = a.brand_id
{% endmacro %}


{% macro case_field_names() %}
{#- The columns of case_fields, as a list. -#}
{{ return([
    'case_id', 'brand_id', 'platform', 'conversation_id', 'customer_id', 'customer_handle', 'opened_message_id',
    'opened_at', 'intent', 'opening_sentiment', 'opening_sentiment_score', 'is_actionable', 'first_response_at',
    'responded', 'deflected', 'resolved', 'recovered', 'author_followers', 'opened_text', 'opened_url',
    'calendar_key',
]) }}
{%- endmacro %}


{% macro delete_cases_to_recompute() %}
{#- int_cases_measured's pre-hook on an incremental run: delete the cases the run recomputes.
    They are the cases opened in the run's window, and, wherever they opened, every case whose
    inputs changed since it was computed: a case gone, or whose case_fields differ (opened by
    another message or at another time, a late brand reply, a customer's later word, another
    version of the opening message, another follower count or handle, a brand registry that
    addresses it otherwise or changed the brand's calendar). The model then computes every case
    of int_cases_opened that the table no longer holds. A table of an earlier version that lacks
    one of the fields is emptied: every case is computed again. -#}
{%- set names = case_field_names() -%}
{%- set stored = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
delete from {{ this }}
{%- if names | reject('in', stored) | list | length == 0 %}
where
    (
        opened_at >= (select min_date from {{ source('lake', 'run_window') }})
        and opened_at < (select max_date from {{ source('lake', 'run_window') }})
    )
    or case_id in (
        select case_id from (
            select {{ names | join(', ') }} from {{ this }}
            except
            select {{ names | join(', ') }} from ({{ case_fields(ref('int_cases_opened')) }})
        )
    )
{%- endif %}
{% endmacro %}
