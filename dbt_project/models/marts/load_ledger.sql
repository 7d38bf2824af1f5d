{#-
    Contract table: one row per delivered file. rows_loaded of a source whose rows are persons
    (stg_catalog__sources.rows_are_persons, from the parsers) is a count of persons that bypasses rule 8,
    so it is published as NULL; the internal ledger keeps it.
-#}
with

ledger as (

    select * from {{ ref('stg_ledger__load_ledger') }}

),

sources as (

    select * from {{ ref('stg_catalog__sources') }}

)

select
    ledger.source_system,
    ledger.file_name,
    ledger.sha256,
    case when not coalesce(sources.rows_are_persons, false) then ledger.rows_loaded end as rows_loaded,
    ledger.status,
    ledger.error,
    ledger.delivered_at,
    ledger.loaded_at
from ledger
left join sources
    on ledger.source_system = sources.source_system
