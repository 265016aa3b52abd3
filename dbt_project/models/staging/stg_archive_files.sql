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
    registered_at,
    readers_version,
    classifier_version
from {{ source('lake', 'archive_files') }}
