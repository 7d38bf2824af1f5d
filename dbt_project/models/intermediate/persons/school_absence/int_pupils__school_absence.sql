{#- Absence % per area and school year: Σ absence days / Σ school days × 100 (school_absence, section 11). -#}
with

pupil_years as (

    {{ latest_person_rows(ref('stg_school_absence__pupil_years'), ['school_year', 'pupil_id']) }}

),

provenance as (

    {{ newest_delivery(ref('stg_school_absence__pupil_years')) }}

),

measures as (

    select
        'skolefravaer_pct' as indicator,
        area_key,
        school_year as period,
        {{ percent_of('sum(absence_sick_days + absence_lawful_days + absence_unlawful_days)', 'sum(school_days)') }}
            as value,
        sum(absence_sick_days + absence_lawful_days + absence_unlawful_days) as numerator,
        sum(school_days) as denominator,
        'percent' as unit,
        {{ names_few_persons('count(distinct pupil_id)') }} as suppressed
    from pupil_years
    group by area_key, school_year
    having sum(school_days) > 0

),

with_combined as (

    {{ with_combined('measures') }}

),

final as (

    {{ person_observations('school_absence', 'with_combined', 'provenance', 'school_year') }}

)

select * from final
