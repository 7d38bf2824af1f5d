with

source as (

    select * from {{ source('catalog', 'catalog_criteria') }}

)

select * from source
