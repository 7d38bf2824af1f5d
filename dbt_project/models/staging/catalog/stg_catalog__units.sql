with

source as (

    select * from {{ source('catalog', 'catalog_units') }}

)

select * from source
