with

source as (

    select * from {{ source('catalog', 'catalog_baselines') }}

)

select * from source
