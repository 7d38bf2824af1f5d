with

measurements as (

    select * from {{ ref('int_measurements__unioned') }}

),

small_cells as (

    select * from {{ ref('int_measurements__small_cells') }}

),

event_indicators as (

    select * from {{ ref('event_indicators') }}

),

flagged as (

    select
        measurements.*,
        {{ is_small_cell('measurements.value', 'measurements.numerator', 'measurements.denominator',
                         'measurements.unit', 'event_indicators.indicator is not null') }}
        or {{ is_derivable_from_areas('measurements.area_key', 'event_indicators.indicator is not null',
                                      'small_cells.has_hidden_area_cell') }} as small_cell,
    from measurements
    left join event_indicators
        on event_indicators.indicator = measurements.indicator
    left join small_cells
        on small_cells.source_system = measurements.source_system
        and small_cells.indicator = measurements.indicator
        and small_cells.period = {{ disclosure_period('measurements.period') }}

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
