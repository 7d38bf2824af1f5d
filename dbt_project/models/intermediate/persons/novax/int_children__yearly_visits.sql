{#- Completed 3-year visits and stable attendance in mothers' groups per area and calendar year (Novax, section 10). -#}
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

areas as (

    {{ areas_of_source_criteria('novax') }}

),

typed as (

    select
        visits.child_id,
        visits.area_key,
        year(visits.visit_quarter) as year,
        visit_types.role,
        statuses.code is not null as completed
    from visits
    inner join codes as visit_types
        on visit_types.field = 'visit_type'
            and visit_types.role in ('treaars_besoeg', 'moedregruppe')
            and visits.visit_type = visit_types.code
    left join codes as statuses
        on statuses.field = 'visit_status'
            and statuses.role = 'gennemfoert'
            and visits.visit_status = statuses.code

),

three_year as (

    select
        areas.area_key,
        covered_years.year,
        count(distinct typed.child_id) as families
    from areas
    cross join covered_years
    left join typed
        on areas.area_key = typed.area_key
            and covered_years.year = typed.year
            and typed.role = 'treaars_besoeg'
            and typed.completed
    group by areas.area_key, covered_years.year

),

mothers as (

    -- one mother per child record: her sessions in the year and how many she attended
    select
        area_key,
        year,
        child_id,
        avg(completed::integer) >= {{ var('stable_attendance_share') }} as is_stable
    from typed
    where role = 'moedregruppe'
    group by area_key, year, child_id

),

measures as (

    select
        'treaarsbesoeg_familier' as indicator,
        area_key,
        year::varchar as period,
        families::double as value,
        null::double as numerator,  -- noqa: CV11
        null::double as denominator,
        'count' as unit,
        false as suppressed
    from three_year
    union all
    select
        'moedregruppe_stabilt_fremmoede_pct' as indicator,
        mothers.area_key,
        mothers.year::varchar as period,
        {{ percent_of('count(*) filter (where mothers.is_stable)', 'count(*)') }} as value,
        count(*) filter (where mothers.is_stable) as numerator,
        count(*) as denominator,
        'percent' as unit,
        false as suppressed
    from mothers
    inner join covered_years
        on mothers.year = covered_years.year
    group by mothers.area_key, mothers.year

),

with_combined as (

    {{ with_combined('measures') }}

),

final as (

    {{ person_observations('novax', 'with_combined', 'provenance', 'year') }}

)

select * from final
