with

ledger as (

    select * from {{ ref('stg_ledger__load_ledger') }}

)

select
    source_system,
    file_name,
    sha256,
    rows_loaded,
    status,
    error,
    delivered_at,
    loaded_at
from ledger
