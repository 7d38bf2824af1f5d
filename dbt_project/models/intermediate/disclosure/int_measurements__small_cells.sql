{#-
    Contract rule 8 per delivered cell: whether measurements publishes it, from the figures of
    int_measurements__disclosure (pipelines/privacy/disclosure.py). hidden_because is `primary`
    (1-4 persons), `complementary` (hidden so that a primary cell cannot be recovered from the
    published totals) or `source` (the source suppressed it). Events are never hidden.
-#}
with

measurements as (

    select * from {{ ref('int_measurements__unioned') }}

),

figures as (

    select * from {{ ref('int_measurements__disclosure') }}
    where areas_key = ''

),

cells as (

    select
        measurements.source_system,
        measurements.indicator,
        measurements.area_key,
        measurements.period,
        coalesce(figures.hidden, false) as hidden,
        figures.hidden_because
    from measurements
    left join figures
        on measurements.source_system = figures.source_system
            and measurements.indicator = figures.indicator
            and measurements.area_key = figures.area_key
            and measurements.period = figures.period

)

select * from cells
