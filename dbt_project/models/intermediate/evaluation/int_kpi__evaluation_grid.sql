{#-
    Every evaluation unit × every period of its grain (stg_catalog__periods: calendar year, quarter,
    school year or birth cohort) from its first period (the baseline period, or the plan start where
    it has none) to its last (the due period, or the plan end), with the value, the previous period's
    value, the resolved baseline and what the rule needs for this period. One row even when nothing
    was delivered. Periods are compared by their index in the grain; the previous period is index − 1.

    * baseline: a delivered baseline (int_baselines__delivered, by canonical_id) wins, then the value
      measured at the baseline period, then the catalog value (contract rule 3); baseline_source says which.
    * phase: after the due period a unit with a `then` rule switches to it (website: 10.000 by 2018, then +8 %).
    * threshold: from a comparator area's value in the same period when threshold_area is set.
    * previous_value: the baseline value where the previous period is the baseline period, else the
      measured value of the previous period (a suppressed previous value counts as missing).
    * aggregation running_mean: the value judged is the mean of the unit's values so far.
    * assessment: the verdict delivered for a qualitative criterion (int_assessments__delivered).
    * gap_source_system: the source that owes a missing value: the indicator's source, or for a qualitative
      criterion the source of its verdicts (the reading's verdicts_from, else the catalog source where it
      delivers verdicts, else var default_verdict_source).
    * needs_reading_da: why no delivery can give this row's figure (stg_catalog__sources: `combined` of a source
      that delivers only shares or an index per area, unless a reading forms it from the areas; `combined_mean`
      of verdicts); NULL where a delivery can close a gap.
    * publication: a period is due once period_end + the publication lag has passed (published_from; the unit's
      own lag, e.g. a birth cohort's 18-month visits, else the source's in the delivery calendar);
      source_newest_end is the end of the newest period the source delivered for the indicator, and a later
      period is stale once the as-of date is past stale_after (newest end + frequency + lag).
-#}
with

units as (

    select * from {{ ref('stg_catalog__units') }}

),

periods as (

    select * from {{ ref('stg_catalog__periods') }}

),

series as (

    select * from {{ ref('int_kpi__unit_series') }}

),

measurements as (

    select * replace ({{ year_period('period') }} as period)
    from {{ ref('int_measurements__unioned') }}

),

catalog_baselines as (

    select * from {{ ref('stg_catalog__baselines') }}

),

calendar as (

    select * from {{ ref('stg_catalog__delivery_calendar') }}

),

sources as (

    select * from {{ ref('stg_catalog__sources') }}

),

delivered as (

    select
        canonical_id,
        area_key,
        {{ year_period('period') }} as period,
        baseline_value as value,
        decided_by
    from {{ ref('int_baselines__delivered') }}

),

assessments as (

    select
        canonical_id,
        area_key,
        period,
        assessment
    from {{ ref('int_assessments__delivered') }}

),

newest as (

    select
        source_system,
        indicator,
        max(period_end) as newest_end
    from measurements
    where value is not null or suppressed
    group by source_system, indicator

),

spine as (

    select
        units.*,
        periods.period_index,
        periods.period,
        periods.period_start,
        periods.period_end,
        periods.period_da,
        periods.previous_period
    from units
    inner join periods
        on units.period_grain = periods.period_grain
            and periods.period_index between units.first_index and units.last_index

),

baselines as (

    select
        units.criterion_id,
        units.area_key,
        coalesce(delivered.value, measured.value, catalog_baselines.value) as baseline_value,
        case
            when delivered.value is not null then 'delivered'
            when measured.value is not null then 'measured'
            when catalog_baselines.value is not null then 'catalog'
        end as baseline_source,
        delivered.decided_by as baseline_decided_by
    from units
    left join delivered
        on units.canonical_id = delivered.canonical_id
            and units.area_key = delivered.area_key
            and units.baseline_period = delivered.period
    left join series as measured
        on units.criterion_id = measured.criterion_id
            and units.area_key = measured.area_key
            and units.baseline_period = measured.period
            and not measured.suppressed
    left join catalog_baselines
        on units.criterion_id = catalog_baselines.criterion_id
            and units.area_key = catalog_baselines.area_key
            and units.baseline_period = catalog_baselines.period

),

owners as (

    select
        units.criterion_id,
        units.area_key,
        case
            when units.kind = 'qualitative'
                then coalesce(
                        units.verdicts_from,
                        case when catalog_source.area_figures = 'verdicts' then units.source_system end,
                        '{{ var("default_verdict_source") }}'
                    )
            else units.source_system
        end as gap_source_system
    from units
    left join sources as catalog_source
        on units.source_system = catalog_source.source_system

),

joined as (

    select
        spine.criterion_id,
        spine.canonical_id,
        spine.area_key,
        spine.source_system,
        spine.indicator,
        spine.aggregation,
        spine.threshold_area,
        spine.reading_da,
        spine.period_grain,
        spine.period,
        spine.period_start,
        spine.period_end,
        spine.period_index,
        spine.period_da,
        spine.previous_period,
        spine.baseline_period,
        spine.baseline_index,
        spine.due_period,
        spine.due_index,
        spine.last_index,
        coalesce(spine.first_evaluated_index, spine.first_index) as first_evaluated_index,
        coalesce(spine.first_evaluated_period, spine.first_period) as first_evaluated_period,
        spine.then_kind is not null and spine.period_index > spine.due_index as in_then_phase,
        spine.kind as rule_kind,
        spine.op as rule_op,
        spine.pct as rule_pct,
        spine.threshold as rule_threshold,
        spine.then_kind,
        spine.then_op,
        spine.then_pct,
        spine.threshold_upper,
        spine.direction,
        current_value.value as period_value,
        current_value.numerator,
        current_value.denominator,
        coalesce(current_value.unit, previous_value.unit) as unit,
        coalesce(current_value.suppressed, false) as suppressed,
        current_value.delivered_at,
        previous_value.value as measured_previous_value,
        coalesce(previous_value.suppressed, false) as previous_suppressed,
        comparator.value as comparator_value,
        baselines.baseline_value,
        baselines.baseline_source,
        baselines.baseline_decided_by,
        newest.newest_end as source_newest_end,
        coalesce(calendar.expected_every_months, 12) as expected_every_months,
        coalesce(spine.publication_lag_months, calendar.publication_lag_months, 0) as publication_lag_months,
        assessments.assessment,
        owners.gap_source_system,
        case
            when spine.area_key = 'combined' and spine.combine not in ('mean', 'weighted_mean')
                then owner_sources.combined_needs_reading_da
            when spine.area_key = 'combined_mean' then owner_sources.combined_mean_needs_reading_da
        end as needs_reading_da,
        (select as_of from {{ source('run', 'run_parameters') }}) as as_of
    from spine
    inner join owners
        on spine.criterion_id = owners.criterion_id
            and spine.area_key = owners.area_key
    left join sources as owner_sources
        on owners.gap_source_system = owner_sources.source_system
    left join series as current_value
        on spine.criterion_id = current_value.criterion_id
            and spine.area_key = current_value.area_key
            and spine.period = current_value.period
    left join series as previous_value
        on spine.criterion_id = previous_value.criterion_id
            and spine.area_key = previous_value.area_key
            and spine.previous_period = previous_value.period
    left join measurements as comparator
        on spine.source_system = comparator.source_system
            and spine.indicator = comparator.indicator
            and spine.threshold_area = comparator.area_key
            and spine.period = comparator.period
            and not comparator.suppressed
    left join baselines
        on spine.criterion_id = baselines.criterion_id
            and spine.area_key = baselines.area_key
    left join newest
        on spine.source_system = newest.source_system
            and spine.indicator = newest.indicator
    left join calendar
        on spine.source_system = calendar.source_system
    left join assessments
        on spine.canonical_id = assessments.canonical_id
            and spine.area_key = assessments.area_key
            and spine.period = assessments.period

),

with_dates as (

    -- the dates the as-of date is compared with, as columns: int_run__as_of_window reads the same ones
    select
        joined.*,
        cast(period_end + to_months(publication_lag_months) as date) as published_from,
        cast(source_newest_end + to_months(expected_every_months + publication_lag_months) as date) as stale_after
    from joined

),

grid as (

    select
        with_dates.* exclude (period_value, measured_previous_value),
        case when in_then_phase then then_kind else rule_kind end as kind,
        case when in_then_phase then then_op else rule_op end as op,
        case when in_then_phase then then_pct else rule_pct end as pct,
        case
            when in_then_phase then null
            when threshold_area is not null then comparator_value
            else rule_threshold
        end as threshold,
        case
            when aggregation = 'running_mean' and period_value is not null
                then round(avg(period_value) over (
                        partition by criterion_id, area_key order by period_index
                        rows between unbounded preceding and current row
                    ), 9)
            else period_value
        end as value,
        case
            when period_index - 1 = baseline_index then baseline_value
            when not previous_suppressed then measured_previous_value
        end as previous_value,
        period_index < first_evaluated_index as is_context,
        as_of >= published_from as is_published,
        source_newest_end is not null
        and period_end > source_newest_end
        and as_of > stale_after
            as is_stale
    from with_dates

)

select * from grid
