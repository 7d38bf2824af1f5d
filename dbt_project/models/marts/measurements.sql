with

measurements as (

    select * from {{ ref('int_measurements__unioned') }}

),

small_cells as (

    -- contract rule 8 per cell (primary, complementary, source), from pipelines/privacy/disclosure.py
    select * from {{ ref('int_measurements__small_cells') }}

),

flagged as (

    select
        measurements.*,
        coalesce(small_cells.hidden, false) as small_cell
    from measurements
    left join small_cells
        on measurements.source_system = small_cells.source_system
            and measurements.indicator = small_cells.indicator
            and measurements.area_key = small_cells.area_key
            and measurements.period = small_cells.period

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
    loaded_at
from flagged
