{#-
    Rule 8 across versions: no version of kpi_status_history shows a value, baseline or target that the
    current kpi_status hides (a hidden value is NULL with status `suppressed`, or NULL beside a hidden flag).
-#}
with

history as (

    select * from {{ ref('kpi_status_history') }}

),

disclosure as (

    select * from {{ ref('int_kpi__disclosure') }}

)

select
    history.criterion_id,
    history.area_key,
    history.period,
    history.valid_from
from history
inner join disclosure
    on history.criterion_id = disclosure.criterion_id
        and history.area_key = disclosure.area_key
        and history.period = disclosure.period
where
    (disclosure.value_hidden and history.value is not null)
    or (disclosure.baseline_hidden and (history.baseline_value is not null or history.target_value is not null))
