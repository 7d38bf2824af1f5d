with

source as (

    select * from {{ source('catalog', 'catalog_delivery_calendar') }}

)

select
    source_system,
    supplier,
    frequency,
    deadline_rule,
    deadline_months,
    deadline_days,
    expected_every_months,
    publication_lag_months,
    is_assumed,
    basis
from source
