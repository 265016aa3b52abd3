-- Platforms, or months of a platform, whose conversations the archives cut
-- (int_reply_coverage.platform_cut, .cut): a warning, not an error. The figures are right for
-- what the archives hold, but a response rate measured on one side of the conversations
-- undercounts answers; the report says so beside the rates.
{{ config(severity='warn') }}
select platform, month, replies, replies_parent_missing, brand_replies, brand_replies_parent_missing, cut, platform_cut
from {{ ref('int_reply_coverage') }}
where cut or platform_cut
