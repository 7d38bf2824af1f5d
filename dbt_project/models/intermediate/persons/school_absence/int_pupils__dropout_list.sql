{#- Pupils on the central dropout list per area and quarter (school_absence, section 12). -#}
with

listed as (

    {{ latest_person_rows(ref('stg_school_absence__dropout_list'), ['quarter', 'pupil_id']) }}

),

provenance as (

    {{ newest_delivery(ref('stg_school_absence__dropout_list')) }}

),

areas as (

    select area_key from {{ ref('stg_catalog__areas') }}

),

quarters as (

    select distinct quarter from listed

),

measures as (

    select
        'dropout_liste_elever' as indicator,
        areas.area_key,
        quarters.quarter as period,
        count(distinct listed.pupil_id)::double as value,
        null::double as numerator,  -- noqa: CV11
        null::double as denominator,
        'count' as unit,
        false as suppressed
    from areas
    cross join quarters
    left join listed
        on areas.area_key = listed.area_key
            and quarters.quarter = listed.quarter
    group by areas.area_key, quarters.quarter

),

with_combined as (

    {{ with_combined('measures') }}

),

final as (

    {{ person_observations('school_absence', 'with_combined', 'provenance', 'quarter') }}

)

select * from final
