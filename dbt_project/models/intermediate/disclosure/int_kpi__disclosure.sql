{#-
    Contract rule 8 applied to the evaluated rows, before anything is published. The figures and why
    each is hidden come from int_measurements__disclosure (pipelines/privacy/disclosure.py, one
    implementation for every source):
    * value_hidden: the row's figure is hidden: an area's value (a delivered cell, a year summed from
      quarters, a stock's Q4), or `combined`/`combined_mean` (a delivered total first, else the total
      over the criterion's areas); small_value says it is itself a small cell (primary). For a running
      mean, a hidden year also hides every later mean of the unit (the mean would give it back);
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

figures as (

    select * from {{ ref('int_measurements__disclosure') }}

),

criterion_areas as (

    select
        criterion_id,
        string_agg(area_key, ',' order by area_key) as areas_key
    from {{ ref('stg_catalog__criterion_areas') }}
    group by criterion_id

),

located as (

    select
        evaluated.*,
        event_indicators.indicator is not null as is_event,
        case when evaluated.area_key = 'combined_mean' then 'combined' else evaluated.area_key end as figure_area_key,
        case when evaluated.area_key in ('combined', 'combined_mean') then criterion_areas.areas_key end
            as group_areas_key
    from evaluated
    left join event_indicators
        on evaluated.indicator = event_indicators.indicator
    left join criterion_areas
        on evaluated.criterion_id = criterion_areas.criterion_id

),

flagged as (

    select
        located.*,
        -- combined: the source's own total wins (as in int_kpi__unit_series); combined_mean: the areas' mean
        case
            when located.area_key = 'combined_mean' then coalesce(pooled.hidden, delivered.hidden)
            else coalesce(delivered.hidden, pooled.hidden)
        end as figure_hidden,
        case
            when located.area_key = 'combined_mean' then coalesce(pooled.hidden_because, delivered.hidden_because)
            else coalesce(delivered.hidden_because, pooled.hidden_because)
        end as figure_hidden_because,
        {{ is_small_cell('located.baseline_value', 'null', 'null', 'located.unit', 'located.is_event') }}
            as small_baseline
    from located
    left join figures as delivered
        on located.source_system = delivered.source_system
            and located.indicator = delivered.indicator
            and located.figure_area_key = delivered.area_key
            and located.period = delivered.period
            and delivered.areas_key = ''
    left join figures as pooled
        on located.source_system = pooled.source_system
            and located.indicator = pooled.indicator
            and located.figure_area_key = pooled.area_key
            and located.period = pooled.period
            and located.group_areas_key = pooled.areas_key

),

hidden_values as (

    select
        * exclude (figure_hidden, figure_hidden_because),
        -- `source`: a total holding a cell the source suppressed (its own NULL value is already `suppressed`)
        coalesce(figure_hidden, false) as figure_is_hidden,
        coalesce(figure_hidden_because = 'primary', false) as small_value
    from flagged

),

cumulated as (

    select
        *,
        value is not null and (
            figure_is_hidden
            or (coalesce(aggregation = 'running_mean', false) and coalesce(bool_or(figure_is_hidden) over (
                partition by criterion_id, area_key
                order by period_index
                rows between unbounded preceding and current row
            ), false))
        ) as value_hidden
    from hidden_values

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
    from cumulated

)

select * from with_neighbours
