{#- Share of pupils in grades 8-9 assessed uddannelsesparat per area and school year (school_readiness, section 13). -#}
with

assessments as (

    {{ latest_person_rows(ref('stg_school_readiness__assessments'), ['school_year', 'pupil_id', 'assessment_date'],
                          ['is_ready asc', 'grade asc', 'area_key asc']) }}

),

provenance as (

    {{ newest_delivery(ref('stg_school_readiness__assessments')) }}

),

latest_per_pupil as (

    -- a pupil reassessed in the same school year counts with the latest assessment
    select *
    from assessments
    where grade in (8, 9)
    qualify row_number() over (partition by school_year, pupil_id order by assessment_date desc) = 1

),

measures as (

    select
        'uddannelsesparate_8_9_pct' as indicator,
        area_key,
        school_year as period,
        {{ percent_of('count(*) filter (where is_ready)', 'count(*)') }} as value,
        count(*) filter (where is_ready) as numerator,
        count(*) as denominator,
        'percent' as unit,
        false as suppressed
    from latest_per_pupil
    group by area_key, school_year

),

with_combined as (

    {{ with_combined('measures') }}

),

final as (

    {{ person_observations('school_readiness', 'with_combined', 'provenance', 'school_year') }}

)

select * from final
