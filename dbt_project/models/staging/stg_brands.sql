select brand_id, brand_name, sector, country, timezone, sla_minutes, has_business_hours, holidays, calendar_key
from {{ source('lake', 'brands') }}
