{#-
    Published extension: the shares, rates and means that contract rule 8 cannot check because the source
    delivers them without their counts (numerator and denominator; for a mean or an index, the number of
    persons behind it). One row per indicator and criterion judged on it (criterion_id NULL when no
    criterion reads it), with how many published values lack a base. Derived from the published
    measurements every night, so a source that starts delivering its counts drops out by itself.
    Counts (and full-time persons) are checked on their value; events are never checked (not persons).
-#}
with

measurements as (

    select * from {{ ref('measurements') }}

),

units as (

    select distinct
        criterion_id,
        source_system,
        indicator
    from {{ ref('stg_catalog__units') }}
    where indicator is not null

),

event_indicators as (

    select * from {{ ref('event_indicators') }}

),

without_base as (

    select
        measurements.source_system,
        measurements.indicator,
        measurements.unit,
        count(*) as values_without_base
    from measurements
    left join event_indicators
        on measurements.indicator = event_indicators.indicator
    where
        measurements.value is not null
        and event_indicators.indicator is null
        and measurements.unit not in ('count', 'fte_persons')
        and (
            measurements.denominator is null
            or (measurements.unit in ('percent', 'rate_per_1000') and measurements.numerator is null)
        )
    group by measurements.source_system, measurements.indicator, measurements.unit

)

select
    units.criterion_id,
    without_base.source_system,
    without_base.indicator,
    without_base.unit,
    without_base.values_without_base
from without_base
left join units
    on without_base.source_system = units.source_system
        and without_base.indicator = units.indicator
