{#- Mean length in days of the benefit spells (merged YDELSE periods) that ended in the year, all ages and 18-29. -#}
with

spells as (

    select * from {{ ref('int_benefit_spells__merged') }}

),

covered_years as (

    select * from {{ ref('int_kmd_opera__covered_years') }}

),

provenance as (

    select * from {{ ref('int_kmd_opera__newest_delivery') }}

),

ended as (

    select
        spells.*,
        year(spells.spell_end) as year,
        spells.spell_end - spells.spell_start + 1 as spell_days,
        year(spells.spell_end) - spells.birth_year between 18 and 29 as is_18_29
    from spells
    where spells.spell_end is not null

),

age_groups as (

    select
        ended.*,
        age_group.indicator
    from ended
    cross join (values ('ydelsesperiode_gns_dage'), ('ydelsesperiode_gns_dage_18_29')) as age_group (indicator)
    where age_group.indicator = 'ydelsesperiode_gns_dage' or ended.is_18_29

),

measures as (

    select
        age_groups.indicator,
        age_groups.area_key,
        age_groups.year::varchar as period,
        sum(age_groups.spell_days)::double / count(*) as value,
        sum(age_groups.spell_days) as numerator,
        count(*) as denominator,
        'days' as unit,
        {{ names_few_persons('count(distinct age_groups.person_id)') }} as suppressed
    from age_groups
    inner join covered_years
        on age_groups.year = covered_years.year
    group by age_groups.indicator, age_groups.area_key, age_groups.year

),

with_combined as (

    {{ with_combined('measures') }}

),

final as (

    {{ person_observations('kmd_opera', 'with_combined', 'provenance', 'year') }}

)

select * from final
