{#-
    Contract table: one row per criterion × area × evaluation period. Small cells (rule 8) are hidden
    here: a small value becomes `suppressed`, and a target or baseline from which a small count could be
    read back (the chained target is previous × (1 ± pct)) is published as NULL.
-#}
with

evaluated as (

    select * from {{ ref('int_kpi__evaluated') }}

),

event_indicators as (

    select * from {{ ref('event_indicators') }}

),

flagged as (

    select
        evaluated.*,
        event_indicators.indicator is not null as is_event,
        {{ is_small_cell('evaluated.value', 'evaluated.numerator', 'evaluated.denominator',
                         'evaluated.unit', 'event_indicators.indicator is not null') }} as small_cell,
        {{ is_small_cell('evaluated.previous_value', 'null', 'null',
                         'evaluated.unit', 'event_indicators.indicator is not null') }} as small_previous,
        {{ is_small_cell('evaluated.baseline_value', 'null', 'null',
                         'evaluated.unit', 'event_indicators.indicator is not null') }} as small_baseline,
    from evaluated
    left join event_indicators
        on event_indicators.indicator = evaluated.indicator

)

select
    criterion_id,
    canonical_id,
    area_key,
    period,
    case when small_cell then null else value end as value,
    baseline_period,
    case when small_baseline then null else baseline_value end as baseline_value,
    case
        when kind = 'yearly_pct_change_vs_previous_year' and small_previous then null
        when kind = 'change_vs_baseline' and small_baseline then null
        else expected_value
    end as target_value,
    case when small_cell and status not in ('not_due', 'qualitative') then 'suppressed' else status end as status,
    case
        when small_cell and status not in ('not_due', 'qualitative')
            then 'Værdien for ' || period || ' er diskretioneret (færre end 5 personer).'
        when (kind = 'yearly_pct_change_vs_previous_year' and small_previous)
            or (kind = 'change_vs_baseline' and small_baseline)
            then {{ status_da('status') }} || ': sammenligningstallet er diskretioneret (færre end 5 personer).'
        else status_reason
    end as status_reason,
    delivered_at as data_as_of,
from flagged
