-- Records that could not be read, with the file, the record's position and the reason.
select q.archive_sha256, f.name as archive_name, q.position, q.reason, q.excerpt
from {{ ref('stg_quarantine') }} as q
left join {{ ref('stg_archive_files') }} as f on f.sha256 = q.archive_sha256
