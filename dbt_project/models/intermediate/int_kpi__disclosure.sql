{#-
    Contract rule 8 applied to the evaluated rows, before anything is published:
    * value_hidden: a small cell (primary; for a year summed from quarters, any hidden quarter of the
      area), or a combined/combined_mean row whose areas include a hidden cell for the same source
      indicator and year (secondary: it could be read back by subtraction);
    * previous_hidden: the previous period's row is hidden, so a chained target (previous × (1 ± pct))
      would reveal it;
    * baseline_hidden: the baseline is a small cell, or the row at the baseline period is hidden.
    Events and activities (seed event_indicators) are not about persons and are never hidden.
-#}
with

evaluated as (

    select * from {{ ref('int_kpi__evaluated') }}

),

event_indicators as (

    select * from {{ ref('event_indicators') }}

),

small_cells as (

    select * from {{ ref('int_measurements__small_cells') }}

),

primary_flags as (

    select
        evaluated.*,
        event_indicators.indicator is not null as is_event,
        {{ is_small_cell('evaluated.value', 'evaluated.numerator', 'evaluated.denominator',
                         'evaluated.unit', 'event_indicators.indicator is not null') }}
        or coalesce(list_contains(small_cells.hidden_area_keys, evaluated.area_key), false) as small_value,
        {{ is_small_cell('evaluated.baseline_value', 'null', 'null',
                         'evaluated.unit', 'event_indicators.indicator is not null') }} as small_baseline,
        {{ is_derivable_from_areas('evaluated.area_key', 'event_indicators.indicator is not null',
                                   'small_cells.has_hidden_area_cell') }} as derivable_from_areas
    from evaluated
    left join event_indicators
        on evaluated.indicator = event_indicators.indicator
    left join small_cells
        on evaluated.source_system = small_cells.source_system
            and evaluated.indicator = small_cells.indicator
            and {{ disclosure_period('evaluated.period') }} = small_cells.period

),

hidden_values as (

    select
        *,
        value is not null and (small_value or derivable_from_areas) as value_hidden
    from primary_flags

),

with_neighbours as (

    select
        *,
        coalesce(lag(value_hidden) over (
            partition by criterion_id, area_key
            order by period_index
        ), false) as previous_hidden,
        small_baseline or coalesce(bool_or(value_hidden and period = baseline_period) over (
            partition by criterion_id, area_key
        ), false) as baseline_hidden
    from hidden_values

)

select * from with_neighbours
