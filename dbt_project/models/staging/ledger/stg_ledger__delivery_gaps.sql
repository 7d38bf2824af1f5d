with

source as (

    select * from {{ source('ledger', 'delivery_gaps') }}

)

select * from source
