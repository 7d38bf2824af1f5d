with

source as (

    select * from {{ source('catalog', 'catalog_periods') }}

)

select * from source
