{# A rate or share: NULL or within [0, 1]; never NaN. #}
{% test is_rate(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
  and (isnan({{ column_name }}) or {{ column_name }} < 0 or {{ column_name }} > 1)
{% endtest %}
