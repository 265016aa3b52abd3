select archive_sha256, position, reason, excerpt
from {{ source('lake', 'quarantine') }}
