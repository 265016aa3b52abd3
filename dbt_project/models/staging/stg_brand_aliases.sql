-- kind: 'alias' (words that count as a mention of the brand) or 'exclusion' (a phrase in which
-- an alias names something else: a message holding one is not addressed by alias)
select brand_id, alias, lower(strip_accents(alias)) as alias_folded, coalesce(kind, 'alias') as kind
from {{ source('lake', 'brand_aliases') }}
