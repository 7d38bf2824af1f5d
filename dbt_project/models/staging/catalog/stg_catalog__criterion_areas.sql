with

source as (

    select * from {{ source('catalog', 'catalog_criterion_areas') }}

)

select * from source
