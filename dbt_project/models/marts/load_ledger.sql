{#-
    Contract table: one row per delivered file. rows_loaded of a source whose rows are persons (seed
    person_level_sources) is a count of persons that bypasses rule 8, so it is published as NULL; the
    internal ledger keeps it.
-#}
with

ledger as (

    select * from {{ ref('stg_ledger__load_ledger') }}

),

person_level_sources as (

    select * from {{ ref('person_level_sources') }}

)

select
    ledger.source_system,
    ledger.file_name,
    ledger.sha256,
    case when person_level_sources.source_system is null then ledger.rows_loaded end as rows_loaded,
    ledger.status,
    ledger.error,
    ledger.delivered_at,
    ledger.loaded_at
from ledger
left join person_level_sources
    on ledger.source_system = person_level_sources.source_system
