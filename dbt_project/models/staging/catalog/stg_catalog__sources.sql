with

source as (

    select * from {{ source('catalog', 'catalog_sources') }}

)

select * from source
