{#- The mothers' development from before to after a mothers' group course (questionnaire, section 16). -#}
with

responses as (

    {{ latest_person_rows(ref('stg_questionnaire__responses'), ['course_id', 'respondent_id', 'wave']) }}

),

provenance as (

    {{ newest_delivery(ref('stg_questionnaire__responses')) }}

),

paired as (

    -- a respondent counts when both waves have a score; the course ends in the year of the 'efter' answer
    select
        course_id,
        respondent_id,
        max(area_key) filter (where wave = 'efter') as area_key,  -- one 'efter' answer per respondent
        year(max(response_date) filter (where wave = 'efter')) as year,
        max(score) filter (where wave = 'efter') - max(score) filter (where wave = 'før') as change
    from responses
    where score is not null
    group by course_id, respondent_id
    having count(distinct wave) = 2

),

courses as (

    select
        area_key,
        year(min(response_date)) as year,
        course_id
    from responses
    group by area_key, course_id

),

areas as (

    select distinct area_key from responses

),

years as (

    select distinct year from courses

),

measures as (

    select
        'moedre_positiv_udvikling_pct' as indicator,
        area_key,
        year::varchar as period,
        {{ percent_of('count(*) filter (where change > 0)', 'count(*)') }} as value,
        count(*) filter (where change > 0) as numerator,
        count(*) as denominator,
        'percent' as unit,
        false as suppressed
    from paired
    group by area_key, year
    union all
    select
        'moedre_score_aendring_gns' as indicator,
        area_key,
        year::varchar as period,
        avg(change::decimal(38, 12)) as value,
        sum(change::decimal(38, 12)) as numerator,
        count(*) as denominator,
        'score' as unit,
        false as suppressed
    from paired
    group by area_key, year
    union all
    select
        'moedregruppe_forloeb' as indicator,
        areas.area_key,
        years.year::varchar as period,
        count(distinct courses.course_id)::double as value,
        null::double as numerator,  -- noqa: CV11
        null::double as denominator,
        'count' as unit,
        false as suppressed
    from areas
    cross join years
    left join courses
        on areas.area_key = courses.area_key
            and years.year = courses.year
    group by areas.area_key, years.year

),

with_combined as (

    {{ with_combined('measures') }}

),

final as (

    {{ person_observations('questionnaire', 'with_combined', 'provenance', 'year') }}

)

select * from final
