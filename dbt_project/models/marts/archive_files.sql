-- One row per registered archive file: where it came from, its format, and whether every
-- record it held was loaded or quarantined.
select
    source,
    name,
    sha256,
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
from {{ ref('stg_archive_files') }}
