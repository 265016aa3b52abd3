-- Actionable cases never answered within the response window. Not ordered here: the publication
-- writes them newest, then widest reach, first (pipelines/publish.py TABLE_ORDER); sorting the
-- table too cost 0.8 s at a million messages.
{{ config(persist_docs={'relation': true, 'columns': true}) }}
select
    c.case_id,
    c.brand_id,
    b.brand_name,
    c.platform,
    c.conversation_id,
    c.customer_id,
    c.customer_handle,
    c.author_followers,
    c.opened_message_id,
    c.opened_at,
    c.intent,
    c.opening_sentiment,
    c.opened_text,
    c.opened_url,
    c.is_final
from {{ ref('care_cases') }} as c
inner join {{ ref('stg_brands') }} as b using (brand_id)
where c.is_actionable and not c.responded
