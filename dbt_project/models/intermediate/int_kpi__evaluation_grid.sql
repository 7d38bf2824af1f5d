{#-
    Every evaluation unit × every period from its first period (the baseline period, or the plan
    start where it has none) to its last (the due period, or the plan end), with the value, the
    previous period's value and the resolved baseline. One row even when nothing was delivered.
-#}
with

units as (

    select * from {{ ref('stg_catalog__units') }}

),

series as (

    select * from {{ ref('int_kpi__unit_series') }}

),

catalog_baselines as (

    select * from {{ ref('stg_catalog__baselines') }}

),

spine as (

    select
        units.*,
        year_number::integer as period_index,
        cast(year_number as varchar) as period,
        make_date(year_number::integer, 1, 1) as period_start,
        make_date(year_number::integer, 12, 31) as period_end,
    from units,
        generate_series(cast(units.first_period as integer), cast(units.last_period as integer)) as years(year_number)

),

baselines as (

    select
        units.criterion_id,
        units.area_key,
        coalesce(measured.value, catalog_baselines.value) as baseline_value,
        case
            when measured.value is not null then 'measured'
            when catalog_baselines.value is not null then 'catalog'
        end as baseline_source,
    from units
    left join series as measured
        on measured.criterion_id = units.criterion_id
        and measured.area_key = units.area_key
        and measured.period = units.baseline_period
        and not measured.suppressed
    left join catalog_baselines
        on catalog_baselines.criterion_id = units.criterion_id
        and catalog_baselines.area_key = units.area_key
        and catalog_baselines.period = units.baseline_period

),

grid as (

    select
        spine.criterion_id,
        spine.canonical_id,
        spine.area_key,
        spine.kind,
        spine.op,
        spine.threshold,
        spine.threshold_upper,
        spine.pct,
        spine.direction,
        spine.reading_da,
        spine.period,
        spine.period_start,
        spine.period_end,
        spine.period_index,
        spine.baseline_period,
        cast(spine.baseline_period as integer) as baseline_index,
        spine.due_period,
        cast(spine.due_period as integer) as due_index,
        cast(spine.last_period as integer) as last_index,
        current_value.value,
        current_value.numerator,
        current_value.denominator,
        coalesce(current_value.unit, previous_value.unit) as unit,
        coalesce(current_value.suppressed, false) as suppressed,
        current_value.delivered_at,
        previous_value.value as previous_value,
        baselines.baseline_value,
        baselines.baseline_source,
        cast(null as varchar) as assessment,
        cast('{{ var("as_of") }}' as date) as as_of,
    from spine
    left join series as current_value
        on current_value.criterion_id = spine.criterion_id
        and current_value.area_key = spine.area_key
        and current_value.period = spine.period
    left join series as previous_value
        on previous_value.criterion_id = spine.criterion_id
        and previous_value.area_key = spine.area_key
        and previous_value.period = cast(spine.period_index - 1 as varchar)
    left join baselines
        on baselines.criterion_id = spine.criterion_id
        and baselines.area_key = spine.area_key

)

select * from grid
