with

source as (

    select * from {{ source('catalog', 'catalog_area_names') }}

)

select
    area_key,
    name_da
from source
