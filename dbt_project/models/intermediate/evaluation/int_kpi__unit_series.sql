{#-
    The value series each evaluation unit is judged on. Areas take their own measurement; `combined`
    pools the criterion's areas (Σ numerator / Σ denominator × scale, or the sum for counts) unless the
    source delivered a combined value itself, or takes the mean of the areas where a reading says so
    (`mean`, or `weighted_mean` weighted by each area's delivered denominator, e.g. respondents);
    `combined_mean` is the unweighted mean of the areas
    (the documents' 30,65). Both need every area of the criterion to be present. A stock date
    ('2017-10-01') counts for its year.
-#}
with

units as (

    select * from {{ ref('stg_catalog__units') }}

),

criterion_areas as (

    select * from {{ ref('stg_catalog__criterion_areas') }}

),

delivered as (

    select * replace ({{ year_period('period') }} as period)
    from {{ ref('int_measurements__unioned') }}

),

quarterly_indicators as (

    select * from {{ ref('quarterly_indicators') }}

),

quarter_rows as (

    select
        delivered.*,
        quarterly_indicators.rollup,
        left(delivered.period, 4) as year_period
    from delivered
    inner join quarterly_indicators
        on delivered.source_system = quarterly_indicators.source_system
            and delivered.indicator = quarterly_indicators.indicator
    where regexp_full_match(delivered.period, '\d{4}Q[1-4]')

),

quarter_years as (

    -- Flows: the four quarters summed (all four needed); stocks and shares: the Q4 value (rule 7, §0.3).
    select
        source_system,
        indicator,
        area_key,
        year_period as period,
        make_date(cast(year_period as integer), 1, 1) as period_start,
        make_date(cast(year_period as integer), 12, 31) as period_end,
        case
            when any_value(rollup) = 'sum' and count(*) = 4 and not bool_or(suppressed) then sum(value)
            when any_value(rollup) = 'last' then max(value) filter (where right(period, 1) = '4')
        end as value,
        case when any_value(rollup) = 'last' then max(numerator) filter (where right(period, 1) = '4') end as numerator,
        case when any_value(rollup) = 'last' then max(denominator) filter (where right(period, 1) = '4') end
            as denominator,
        any_value(unit) as unit,
        case
            when any_value(rollup) = 'sum' then bool_or(suppressed)
            else coalesce(bool_or(suppressed) filter (where right(period, 1) = '4'), false)
        end as suppressed,
        max(delivered_at) as delivered_at
    from quarter_rows
    group by source_system, indicator, area_key, year_period
    having count(*) = 4 or any_value(rollup) = 'last'

),

measurements as (

    select * from delivered
    union all by name
    select quarter_years.*
    from quarter_years
    anti join delivered
        on quarter_years.source_system = delivered.source_system
            and quarter_years.indicator = delivered.indicator
            and quarter_years.area_key = delivered.area_key
            and quarter_years.period = delivered.period

),

area_count as (

    select
        criterion_id,
        count(*) as n_areas
    from criterion_areas
    group by criterion_id

),

unit_indicators as (

    select distinct
        criterion_id,
        source_system,
        indicator,
        combine
    from units
    where indicator is not null

),

own_values as (

    select
        units.criterion_id,
        units.area_key,
        measurements.period,
        measurements.period_start,
        measurements.period_end,
        measurements.value,
        measurements.numerator,
        measurements.denominator,
        measurements.unit,
        measurements.suppressed,
        measurements.delivered_at
    from units
    inner join measurements
        on units.source_system = measurements.source_system
            and units.indicator = measurements.indicator
            and units.area_key = measurements.area_key

),

member_values as (

    select
        unit_indicators.criterion_id,
        unit_indicators.combine,
        measurements.*
    from unit_indicators
    inner join criterion_areas
        on unit_indicators.criterion_id = criterion_areas.criterion_id
    inner join measurements
        on unit_indicators.source_system = measurements.source_system
            and unit_indicators.indicator = measurements.indicator
            and criterion_areas.area_key = measurements.area_key

),

pooled as (

    select
        member_values.criterion_id,
        member_values.period,
        min(member_values.period_start) as period_start,
        max(member_values.period_end) as period_end,
        any_value(member_values.unit) as unit,
        any_value(member_values.combine) as combine,
        count(*) as n_members,
        bool_or(member_values.suppressed) as any_suppressed,
        count(member_values.numerator) as n_numerators,
        -- Exact decimal sums, rounded: float sums depend on the order of the rows (parallel scans), and a
        -- re-run must change nothing, not even in the 9th decimal.
        cast(round(sum(cast(member_values.numerator as decimal(38, 12))), 9) as double) as numerator,
        cast(round(sum(cast(member_values.denominator as decimal(38, 12))), 9) as double) as denominator,
        cast(round(sum(cast(member_values.value as decimal(38, 12))), 9) as double) as value_sum,
        count(member_values.denominator) filter (where member_values.denominator > 0) as n_weights,
        cast(round(
            sum(cast(member_values.value as decimal(38, 12)) * cast(member_values.denominator as decimal(38, 12)))
            / nullif(sum(cast(member_values.denominator as decimal(38, 12))), 0), 9
        ) as double) as value_weighted_mean,
        cast(round(avg(cast(member_values.value as decimal(38, 12))), 9) as double) as value_mean,
        max(member_values.delivered_at) as delivered_at
    from member_values
    group by member_values.criterion_id, member_values.period

),

complete_pools as (

    select
        pooled.*,
        case pooled.unit when 'rate_per_1000' then 1000 when 'percent' then 100 else 1 end as scale
    from pooled
    inner join area_count
        on pooled.criterion_id = area_count.criterion_id
            and pooled.n_members = area_count.n_areas

),

combined_values as (

    select
        criterion_id,
        'combined' as area_key,
        period,
        period_start,
        period_end,
        case
            when any_suppressed then null
            -- readings the board decides where the areas cannot be pooled (an index, shares only)
            when combine = 'mean' then value_mean
            when combine = 'weighted_mean' then case when n_weights = n_members then value_weighted_mean end
            when n_numerators = n_members and denominator > 0 then round(numerator / denominator * scale, 9)
            when combine in ('pooled', 'sum') and unit not in ('rate_per_1000', 'percent', 'index') then value_sum
        end as value,
        case when n_numerators = n_members and combine not in ('mean', 'weighted_mean') then numerator end as numerator,
        case when n_numerators = n_members and combine not in ('mean', 'weighted_mean') then denominator end
            as denominator,
        unit,
        any_suppressed as suppressed,
        delivered_at
    from complete_pools
    where combine <> 'none'

),

mean_values as (

    select
        criterion_id,
        'combined_mean' as area_key,
        period,
        period_start,
        period_end,
        case when not any_suppressed then value_mean end as value,
        cast(null as double) as numerator,
        cast(null as double) as denominator,
        unit,
        any_suppressed as suppressed,
        delivered_at
    from complete_pools

),

series as (

    select * from own_values
    union all by name
    select combined_values.*
    from combined_values
    anti join own_values
        on combined_values.criterion_id = own_values.criterion_id
            and combined_values.area_key = own_values.area_key
            and combined_values.period = own_values.period
    union all by name
    select * from mean_values

)

select * from series
