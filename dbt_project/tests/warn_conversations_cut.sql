-- Platforms whose conversations the archives cut (int_reply_coverage.cut): a warning, not an
-- error. The figures are right for what the archives hold, but a response rate measured on one
-- side of the conversations undercounts answers; the report says so beside the rates.
{{ config(severity='warn') }}
select platform, replies, replies_parent_missing, brand_replies, brand_replies_parent_missing
from {{ ref('int_reply_coverage') }}
where cut
