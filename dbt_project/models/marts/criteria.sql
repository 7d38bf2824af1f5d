with

criteria as (

    select * from {{ ref('stg_catalog__criteria') }}

)

select
    criterion_id,
    canonical_id,
    plan_period,
    level,
    criterion_type,
    indsatsomraade,
    activity,
    text_da,
    summary_en,
    unit,
    direction,
    target_kind,
    source_system,
    frequency,
    granularity,
    catalog_version
from criteria
