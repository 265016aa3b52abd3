{# A boolean SQL expression that must hold on every row. #}
{% test expression_holds(model, expression, column_name=none) %}
select *
from {{ model }}
where not coalesce({{ expression }}, true)
{% endtest %}
