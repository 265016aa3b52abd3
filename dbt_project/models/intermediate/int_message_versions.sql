-- Every version id seen (an edited post has several) -> the message it is a version of.
select distinct version_id, message_id
from {{ ref('stg_lake__message_rows') }}
where kind = 'post'
