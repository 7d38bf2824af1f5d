{#-
    Protects: the contract promise "every entry with a data source has rows in kpi_status".
    Reproduce a failure: give a catalog entry a source_system that no reading or rule covers (so that
    pipelines/catalog/targets.py makes no unit for it) and run `kpi nightly`; its id is listed here.
-#}
with

criteria as (

    select * from {{ ref('stg_catalog__criteria') }}

),

evaluated as (

    select distinct criterion_id from {{ ref('kpi_status') }}

)

select criteria.criterion_id
from criteria
left join evaluated
    on criteria.criterion_id = evaluated.criterion_id
where criteria.source_system is not null
    and criteria.source_system != 'none'
    and evaluated.criterion_id is null
