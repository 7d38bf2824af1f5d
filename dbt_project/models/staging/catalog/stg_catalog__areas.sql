with

source as (

    select * from {{ source('catalog', 'catalog_areas') }}

)

select * from source
