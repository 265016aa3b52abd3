select brand_id, brand_name, sector, country, timezone, sla_minutes, has_business_hours, holidays
from {{ source('lake', 'brands') }}
