-- One row: the data horizon (docs/metrics.md#data-horizon), the newest created_at among all messages loaded. A case is final
-- once its response window closes before it (care_cases, brand_scorecards).
select max(created_at) as data_horizon
from {{ ref('int_messages_attributed') }}
