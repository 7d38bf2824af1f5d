{#- What is missing: undelivered or suppressed periods, missing baselines, figures no delivery can give, and files
    that failed at ingestion; with who can close each gap (supplier) and by when (due_date). The gaps and their
    suppliers are int_gaps__listed's; this model lists a missing delivery only once its deadline has passed. -#}
with

listed as (

    select * from {{ ref('int_gaps__listed') }}

)

select
    source_system,
    criterion_id,
    area_key,
    period,
    gap_type,
    detail,
    supplier,
    due_date
from listed
-- a missing delivery is a gap only once its deadline has passed
where not (gap_type = 'missing_delivery' and calendar_due_date is not null and calendar_due_date >= as_of)
