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


{% macro delete_cases_to_recompute() %}
{#- int_cases_measured's pre-hook on an incremental run: delete the cases the run recomputes.
    They are the cases opened in the run's window, and, wherever they opened, the cases the
    archives changed since they were computed: a case that no longer exists or opens at another
    message or time (an earlier message of its conversation arrived: a backfill), and a case
    whose first response or deflection differs (a late brand reply arrived). The model then
    computes every case of int_cases_opened that the table no longer holds. -#}
delete from {{ this }}
where
    (
        opened_at >= (select min_date from {{ source('lake', 'run_window') }})
        and opened_at < (select max_date from {{ source('lake', 'run_window') }})
    )
    or case_id in (
        select case_id from (
            select case_id, opened_message_id, opened_at from {{ this }}
            except
            select case_id, opened_message_id, opened_at from {{ ref('int_cases_opened') }}
        )
        union all
        select t.case_id
        from {{ this }} as t
        left join ({{ case_replies() }}) as r using (case_id)
        where
            t.first_response_at is distinct from r.first_response_at
            or t.deflected is distinct from coalesce(r.deflected, false)
    )
{% endmacro %}
