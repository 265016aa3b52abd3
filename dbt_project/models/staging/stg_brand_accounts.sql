select distinct brand_id, platform, lower(ltrim(account, '@')) as account
from {{ source('lake', 'brand_accounts') }}
