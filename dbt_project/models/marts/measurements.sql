with

measurements as (

    select * from {{ ref('int_measurements__unioned') }}

),

event_indicators as (

    select * from {{ ref('event_indicators') }}

),

flagged as (

    select
        measurements.*,
        {{ is_small_cell('measurements.value', 'measurements.numerator', 'measurements.denominator',
                         'measurements.unit', 'event_indicators.indicator is not null') }} as small_cell,
    from measurements
    left join event_indicators
        on event_indicators.indicator = measurements.indicator

)

select
    source_system,
    indicator,
    area_key,
    period,
    period_start,
    period_end,
    case when small_cell or suppressed then null else value end as value,
    case when small_cell or suppressed then null else numerator end as numerator,
    case when small_cell or suppressed then null else denominator end as denominator,
    unit,
    suppressed or small_cell as suppressed,
    source_file,
    delivered_at,
    loaded_at,
from flagged
