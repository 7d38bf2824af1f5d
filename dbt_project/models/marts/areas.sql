with

areas as (

    select * from {{ ref('stg_catalog__areas') }}

)

select
    area_key,
    name_da,
    town,
    plan_periods
from areas
