{# A rate that is NULL, never 0 or NaN, when its denominator is 0. #}
{% macro rate(numerator, denominator) -%}
    ({{ numerator }})::double / nullif({{ denominator }}, 0)
{%- endmacro %}

{# Wilson score interval (95%) for successes out of n; NULL when n = 0. Clamped to [0, 1]
   and to contain the rate itself, so that float rounding never puts a bound on the wrong side. #}
{% macro wilson_bound(successes, n, sign) -%}
    {%- set p = "((" ~ successes ~ ")::double / (" ~ n ~ "))" -%}
    {%- set z = "1.959963984540054" -%}
    case when ({{ n }}) > 0 then
        {{ 'least(' ~ p ~ ', greatest(0.0, ' if sign == '-' else 'greatest(' ~ p ~ ', least(1.0, ' }}
        (
            {{ p }} + {{ z }} ^ 2 / (2 * ({{ n }}))
            {{ sign }} {{ z }} * sqrt({{ p }} * (1 - {{ p }}) / ({{ n }}) + {{ z }} ^ 2 / (4 * ({{ n }}) ^ 2))
        ) / (1 + {{ z }} ^ 2 / ({{ n }}))
        ))
    end
{%- endmacro %}
