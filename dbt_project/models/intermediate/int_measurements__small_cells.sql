{#-
    Contract rule 8, secondary suppression: per source indicator and period, whether any of the four
    areas' cells is hidden (a primary small cell or a cell the source suppressed). Where one is, a
    total or mean over the areas (`combined`, `combined_mean`, a delivered `Samlet` row) would let a
    reader subtract the others and recover it, so those are hidden too.
-#}
with

measurements as (

    select * from {{ ref('int_measurements__unioned') }}

),

event_indicators as (

    select * from {{ ref('event_indicators') }}

),

areas as (

    select area_key from {{ ref('stg_catalog__areas') }}

),

area_cells as (

    select
        measurements.source_system,
        measurements.indicator,
        {{ year_period('measurements.period') }} as period,
        measurements.suppressed
        or {{ is_small_cell('measurements.value', 'measurements.numerator', 'measurements.denominator',
                            'measurements.unit', 'event_indicators.indicator is not null') }} as hidden,
    from measurements
    inner join areas
        on areas.area_key = measurements.area_key
    left join event_indicators
        on event_indicators.indicator = measurements.indicator

),

grouped as (

    select
        source_system,
        indicator,
        period,
        bool_or(hidden) as has_hidden_area_cell,
    from area_cells
    group by source_system, indicator, period

)

select * from grouped
