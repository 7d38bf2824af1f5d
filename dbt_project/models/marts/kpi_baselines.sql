{#-
    Published: which baseline each evaluation unit uses and where it came from (contract rule 3):
    `delivered` (a file in inbox/baselines, a later decision), `measured` (the value at the baseline
    period), `catalog` (criteria.yaml), or NULL while none is known (status missing_baseline).
    A baseline hidden by small-cell suppression (rule 8) is published as NULL, as in kpi_status.
-#}
with

disclosure as (

    select * from {{ ref('int_kpi__disclosure') }}

)

select distinct
    criterion_id,
    area_key,
    baseline_period,
    case when baseline_hidden then null else baseline_value end as baseline_value,
    baseline_source
from disclosure
where baseline_period is not null
