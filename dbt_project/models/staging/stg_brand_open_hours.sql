select brand_id, open_from, open_to
from {{ source('lake', 'brand_open_hours') }}
