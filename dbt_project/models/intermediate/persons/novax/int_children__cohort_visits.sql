{#- Birth cohorts and their extra needs-based visits at 6 and 18 months (Novax, section 10). -#}
with

visits as (

    select * from {{ ref('int_novax_visits__in_programme_areas') }}

),

codes as (

    select * from {{ ref('person_measure_codes') }}
    where source_system = 'novax'

),

covered_years as (

    select * from {{ ref('int_novax__covered_years') }}

),

provenance as (

    select * from {{ ref('int_novax__newest_delivery') }}

),

children as (

    select
        child_id,
        any_value(birth_year) as birth_year,
        -- the area of the latest visit (by quarter; the exact date is not kept) in the newest delivery, then a fixed
        -- order of the keyed visit ids and area keys: never the rows' order
        first(area_key order by delivered_at desc, visit_quarter desc, visit_key desc, area_key desc) as area_key
    from visits
    group by child_id

),

completed_extra as (

    select
        visits.child_id,
        visit_types.role,
        count(*) as n_visits
    from visits
    inner join codes as visit_types
        on visit_types.field = 'visit_type'
            and visit_types.role in ('ekstra_6_mdr', 'ekstra_18_mdr')
            and visits.visit_type = visit_types.code
    inner join codes as statuses
        on statuses.field = 'visit_status'
            and statuses.role = 'gennemfoert'
            and visits.visit_status = statuses.code
    group by visits.child_id, visit_types.role

),

per_child as (

    select
        children.child_id,
        children.birth_year,
        children.area_key,
        coalesce(max(completed_extra.n_visits) filter (where completed_extra.role = 'ekstra_6_mdr'), 0) as visits_6m,
        coalesce(max(completed_extra.n_visits) filter (where completed_extra.role = 'ekstra_18_mdr'), 0) as visits_18m
    from children
    left join completed_extra
        on children.child_id = completed_extra.child_id
    group by children.child_id, children.birth_year, children.area_key

),

cohorts as (

    -- a cohort's 6-month visits are all made by the end of the following year, its 18-month visits by the
    -- end of the year after; a cohort is measured only where the extracts cover that year
    select
        per_child.area_key,
        per_child.birth_year,
        count(*) as children,
        count(*) filter (where per_child.visits_6m > 0) as children_6m,
        count(*) filter (where per_child.visits_18m > 0) as children_18m,
        sum(per_child.visits_6m + per_child.visits_18m) as extra_visits,
        bool_or(per_child.birth_year + 1 in (select year from covered_years)) as covers_6m,
        bool_or(per_child.birth_year + 2 in (select year from covered_years)) as covers_18m
    from per_child
    where per_child.birth_year in (select year from covered_years)
    group by per_child.area_key, per_child.birth_year

),

measures as (

    select
        'kohorte_boern' as indicator,
        area_key,
        birth_year::varchar as period,
        children::double as value,
        null::double as numerator,  -- noqa: CV11
        null::double as denominator,
        'count' as unit,
        false as suppressed
    from cohorts
    union all
    select
        'ekstra_besoeg_6_mdr_pct' as indicator,
        area_key,
        birth_year::varchar as period,
        {{ percent_of('children_6m', 'children') }} as value,
        children_6m as numerator,
        children as denominator,
        'percent' as unit,
        false as suppressed
    from cohorts
    where covers_6m
    union all
    select
        'ekstra_besoeg_18_mdr_pct' as indicator,
        area_key,
        birth_year::varchar as period,
        {{ percent_of('children_18m', 'children') }} as value,
        children_18m as numerator,
        children as denominator,
        'percent' as unit,
        false as suppressed
    from cohorts
    where covers_18m
    union all
    select
        'ekstra_besoeg_antal' as indicator,
        area_key,
        birth_year::varchar as period,
        extra_visits::double as value,
        null::double as numerator,  -- noqa: CV11
        null::double as denominator,
        'count' as unit,
        {{ names_few_persons('children') }} as suppressed
    from cohorts
    where covers_18m

),

with_combined as (

    {{ with_combined('measures') }}

),

final as (

    {{ person_observations('novax', 'with_combined', 'provenance', 'birth_cohort') }}

)

select * from final
