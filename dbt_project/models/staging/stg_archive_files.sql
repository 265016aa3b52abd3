select
    sha256,
    source,
    name,
    format,
    status,
    error,
    notes,
    records_read,
    records_loaded,
    records_quarantined,
    size_bytes,
    registered_at
from {{ source('lake', 'archive_files') }}
