{#-
    Youth-education enrolment from age 18 per area and calendar year: UU's status list (section 9) linked by
    pseudonym to KMD Opera's benefit recipients (section 8).
-#}
with

statuses as (

    {{ latest_person_rows(ref('stg_uu_registration__statuses'), ['person_id', 'status_date'],
                          ['status asc', 'area_key asc']) }}

),

benefit_periods as (

    select * from {{ ref('int_kmd_opera__periods_in_force') }}

),

codes as (

    select * from {{ ref('person_measure_codes') }}
    where source_system = 'uu_registration' and field = 'status' and role = 'i_uddannelse'

),

covered_years as (

    {{ covered_years(ref('stg_uu_registration__statuses')) }}

),

provenance as (

    {{ newest_delivery(ref('stg_uu_registration__statuses')) }}

),

uu_years as (

    select
        statuses.person_id,
        year(statuses.status_date) as year,
        any_value(statuses.birth_year) as birth_year,
        arg_max(statuses.area_key, statuses.status_date) as area_key,
        bool_or(codes.code is not null) as in_education
    from statuses
    left join codes
        on statuses.status = codes.code
    group by statuses.person_id, year(statuses.status_date)

),

benefit_years as (

    select
        benefit_periods.person_id,
        covered_years.year,
        any_value(benefit_periods.birth_year) as birth_year,
        -- the latest start; two on one day: the last area key (a total order, not the rows' order)
        first(benefit_periods.area_key order by benefit_periods.start_date desc, benefit_periods.area_key desc)
            as area_key
    from benefit_periods
    inner join covered_years
        on benefit_periods.start_date <= make_date(covered_years.year, 12, 31)
            and coalesce(benefit_periods.end_date, date '9999-12-31') >= make_date(covered_years.year, 1, 1)
    where benefit_periods.post_type = 'YDELSE'
    group by benefit_periods.person_id, covered_years.year

),

target_group as (

    -- aged 18 or more at 31 December: registered by UU in the year, or a benefit recipient aged 18-29 in it
    select
        coalesce(uu_years.person_id, benefit_years.person_id) as person_id,
        coalesce(uu_years.year, benefit_years.year) as year,
        coalesce(uu_years.area_key, benefit_years.area_key) as area_key,
        coalesce(uu_years.birth_year, benefit_years.birth_year) as birth_year,
        coalesce(uu_years.in_education, false) as in_education,
        uu_years.person_id is not null as registered_by_uu,
        benefit_years.person_id is not null as receives_benefit
    from uu_years
    full outer join benefit_years
        on uu_years.person_id = benefit_years.person_id
            and uu_years.year = benefit_years.year

),

eligible as (

    select target_group.*
    from target_group
    inner join covered_years
        on target_group.year = covered_years.year
    where target_group.year - target_group.birth_year >= 18
        and (target_group.registered_by_uu or target_group.year - target_group.birth_year <= 29)

),

areas as (

    select area_key from {{ ref('stg_catalog__areas') }}

),

counted as (

    select
        areas.area_key,
        covered_years.year,
        count(eligible.person_id) as persons,
        count(eligible.person_id) filter (where eligible.in_education) as enrolled,
        count(eligible.person_id) filter (where eligible.in_education and eligible.receives_benefit)
            as enrolled_benefit_recipients
    from areas
    cross join covered_years
    left join eligible
        on areas.area_key = eligible.area_key
            and covered_years.year = eligible.year
    group by areas.area_key, covered_years.year

),

measures as (

    select
        'ungdomsuddannelse_18plus_pct' as indicator,
        area_key,
        year::varchar as period,
        {{ percent_of('enrolled', 'persons') }} as value,
        enrolled as numerator,
        persons as denominator,
        'percent' as unit,
        false as suppressed
    from counted
    where persons > 0
    union all
    select
        'ungdomsuddannelse_18plus_maalgruppe' as indicator,
        area_key,
        year::varchar as period,
        enrolled_benefit_recipients as value,
        null::double as numerator,  -- noqa: CV11
        null::double as denominator,
        'count' as unit,
        false as suppressed
    from counted

),

with_combined as (

    {{ with_combined('measures') }}

),

final as (

    {{ person_observations('uu_registration', 'with_combined', 'provenance', 'year') }}

)

select * from final
