{#-
    Benefit recipients per area and calendar year, and the share of them aged 18-29 (KMD Opera, section 8).
    A person is counted once a year, in the area of their latest YDELSE period that year.
-#}
with

periods as (

    select * from {{ ref('int_kmd_opera__periods_in_force') }}

),

covered_years as (

    select * from {{ ref('int_kmd_opera__covered_years') }}

),

provenance as (

    select * from {{ ref('int_kmd_opera__newest_delivery') }}

),

areas as (

    select area_key from {{ ref('stg_catalog__areas') }}

),

recipients as (

    -- ≥ 1 YDELSE day in the year: the period starts by 31 December and has not ended before 1 January
    select
        periods.person_id,
        covered_years.year,
        first(periods.area_key order by periods.start_date desc, periods.area_key desc) as area_key,
        covered_years.year - any_value(periods.birth_year) between 18 and 29 as is_18_29
    from periods
    inner join covered_years
        on periods.start_date <= make_date(covered_years.year, 12, 31)
            and coalesce(periods.end_date, date '9999-12-31') >= make_date(covered_years.year, 1, 1)
    where periods.post_type = 'YDELSE'
    group by periods.person_id, covered_years.year

),

counted as (

    select
        areas.area_key,
        covered_years.year,
        count(recipients.person_id) as recipients,
        count(recipients.person_id) filter (where recipients.is_18_29) as recipients_18_29
    from areas
    cross join covered_years
    left join recipients
        on areas.area_key = recipients.area_key
            and covered_years.year = recipients.year
    group by areas.area_key, covered_years.year

),

measures as (

    select
        'ydelsesmodtagere' as indicator,
        area_key,
        year::varchar as period,
        recipients::double as value,
        null::double as numerator,  -- noqa: CV11
        null::double as denominator,
        'count' as unit,
        false as suppressed
    from counted
    union all
    select
        'ydelsesmodtagere_18_29_pct' as indicator,
        area_key,
        year::varchar as period,
        {{ percent_of('recipients_18_29', 'recipients') }} as value,
        recipients_18_29 as numerator,
        recipients as denominator,
        'percent' as unit,
        false as suppressed
    from counted
    where recipients > 0

),

with_combined as (

    {{ with_combined('measures') }}

),

final as (

    {{ person_observations('kmd_opera', 'with_combined', 'provenance', 'year') }}

)

select * from final
