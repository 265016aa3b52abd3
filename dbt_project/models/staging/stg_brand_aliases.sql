select brand_id, alias, lower(strip_accents(alias)) as alias_folded
from {{ source('lake', 'brand_aliases') }}
