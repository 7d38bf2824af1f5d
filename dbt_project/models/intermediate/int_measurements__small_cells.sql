{#-
    Contract rule 8, secondary suppression: per source indicator and year (quarters count for their
    year), whether any of the four areas' cells is hidden (a primary small cell or a cell the source
    suppressed). Where one is, a total or mean over the areas (`combined`, `combined_mean`, a delivered
    `Samlet` row, a yearly sum of quarters) would let a reader subtract the others and recover it, so
    those are hidden too. hidden_area_keys lists the areas with a hidden cell in the year: an area's
    yearly value summed from its quarters is hidden when one of them is.
-#}
with

measurements as (

    select * from {{ ref('int_measurements__unioned') }}

),

event_indicators as (

    select * from {{ ref('event_indicators') }}

),

quarterly_indicators as (

    select * from {{ ref('quarterly_indicators') }}

),

areas as (

    select area_key from {{ ref('stg_catalog__areas') }}

),

area_cells as (

    select
        measurements.source_system,
        measurements.indicator,
        measurements.area_key,
        {{ disclosure_period('measurements.period') }} as period,
        measurements.suppressed
        or {{ is_small_cell('measurements.value', 'measurements.numerator', 'measurements.denominator',
                            'measurements.unit', 'event_indicators.indicator is not null') }} as hidden,
    from measurements
    inner join areas
        on areas.area_key = measurements.area_key
    left join event_indicators
        on event_indicators.indicator = measurements.indicator
    left join quarterly_indicators
        on quarterly_indicators.source_system = measurements.source_system
        and quarterly_indicators.indicator = measurements.indicator
    -- of a stock's quarters only Q4 makes up the year; a flow's year is the sum of all four
    where not regexp_full_match(measurements.period, '\d{4}Q[1-3]')
        or coalesce(quarterly_indicators.rollup, 'sum') = 'sum'

),

grouped as (

    select
        source_system,
        indicator,
        period,
        bool_or(hidden) as has_hidden_area_cell,
        coalesce(list(distinct area_key order by area_key) filter (where hidden), []) as hidden_area_keys,
    from area_cells
    group by source_system, indicator, period

)

select * from grouped
