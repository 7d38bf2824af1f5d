with

evaluated as (

    select * from {{ ref('int_kpi__evaluated') }}

),

units as (

    select criterion_id, area_key, indicator from {{ ref('stg_catalog__units') }}

),

event_indicators as (

    select * from {{ ref('event_indicators') }}

),

flagged as (

    select
        evaluated.*,
        {{ is_small_cell('evaluated.value', 'evaluated.numerator', 'evaluated.denominator',
                         'evaluated.unit', 'event_indicators.indicator is not null') }} as small_cell,
    from evaluated
    left join units
        on units.criterion_id = evaluated.criterion_id
        and units.area_key = evaluated.area_key
    left join event_indicators
        on event_indicators.indicator = units.indicator

)

select
    criterion_id,
    canonical_id,
    area_key,
    period,
    case when small_cell then null else value end as value,
    baseline_period,
    baseline_value,
    expected_value as target_value,
    case when small_cell and status not in ('not_due', 'qualitative') then 'suppressed' else status end as status,
    case
        when small_cell and status not in ('not_due', 'qualitative')
            then 'Værdien for ' || period || ' er diskretioneret (færre end 5 personer).'
        else status_reason
    end as status_reason,
    delivered_at as data_as_of,
from flagged
