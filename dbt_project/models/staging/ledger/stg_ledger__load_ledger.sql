with

source as (

    select * from {{ source('ledger', 'load_ledger') }}

),

renamed as (

    select
        source_system,
        file_name,
        file_type,
        period_token,
        period_start,
        period_end,
        sha256,
        cast(rows_loaded as bigint) as rows_loaded,
        status,
        error,
        warnings,
        delivered_at,
        loaded_at,
        superseded_by

    from source

)

select * from renamed
