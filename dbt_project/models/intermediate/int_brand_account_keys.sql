-- Every key that identifies a brand account on a platform: the registry's handles, ids,
-- DIDs, page ids and author names, plus the user ids the archives show those accounts
-- posting under (so that an in-reply-to user id can be matched to a handle in the registry).
select brand_id, platform, account
from {{ ref('stg_brand_accounts') }}
union
select author_brand_id as brand_id, platform, lower(author_id) as account
from {{ ref('int_messages_attributed') }}
where is_brand
