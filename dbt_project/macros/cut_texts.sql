{# A text its source cut (X's 140-character copies: TAGS sheets, v1.1 tweets without
   tweet_mode=extended, a personal archive's retweets): it ends with an ellipsis, or with an
   ellipsis and the link to the whole post ("…The latest guest a… https://t.co/9uNy"). #}
{% macro cut_text_pattern() -%}
    '…\s*(https?://\S+\s*)?$'
{%- endmacro %}

{% macro is_cut_text(text) -%}
    regexp_matches({{ text }}, {{ cut_text_pattern() }})
{%- endmacro %}

{# What is left of a text before its cut (the text itself when it is whole). #}
{% macro uncut_part(text) -%}
    regexp_replace({{ text }}, {{ cut_text_pattern() }}, '')
{%- endmacro %}
