{# The first local day of the day / ISO week / calendar month containing `ts`, in time zone `tz`. #}
{% macro local_period_start(ts, tz, period) -%}
    case {{ period }}
        when 'day' then cast(timezone({{ tz }}, {{ ts }}) as date)
        when 'week' then cast(date_trunc('week', timezone({{ tz }}, {{ ts }})) as date)
        else cast(date_trunc('month', timezone({{ tz }}, {{ ts }})) as date)
    end
{%- endmacro %}

{# The instant (UTC) a local period ends. #}
{% macro local_period_end(period_start, tz, period) -%}
    timezone({{ tz }}, cast({{ period_start }} as timestamp) + case {{ period }}
        when 'day' then interval 1 day
        when 'week' then interval 7 day
        else interval 1 month
    end)
{%- endmacro %}
