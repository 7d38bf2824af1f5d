{#-
    Published: which baseline each evaluation unit uses and where it came from (contract rule 3):
    `delivered` (raw.baseline_deliveries, a later decision), `measured` (the value at the baseline
    period), `catalog` (criteria.yaml), or NULL while none is known (status missing_baseline).
-#}
with

grid as (

    select * from {{ ref('int_kpi__evaluation_grid') }}

)

select distinct
    criterion_id,
    area_key,
    baseline_period,
    baseline_value,
    baseline_source,
from grid
where baseline_period is not null
