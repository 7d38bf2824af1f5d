{#- Novax visits of the children living at birth in the areas the Novax criteria cover (section 10). -#}
with

programme_areas as (

    {{ areas_of_source_criteria('novax') }}

),

visits as (

    {{ latest_person_rows(ref('stg_novax__visits'), ['child_id', 'visit_type', 'visit_key'],
                          ['visit_status asc', 'area_key asc']) }}

),

final as (

    select visits.*
    from visits
    inner join programme_areas
        on visits.area_key = programme_areas.area_key

)

select * from final
