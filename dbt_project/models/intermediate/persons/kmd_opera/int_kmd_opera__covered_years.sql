{#- The calendar years the valid files of kmd_opera cover (macro covered_years): the years its measures count. -#}
with

covered_years as (

    {{ covered_years(ref('stg_kmd_opera__periods')) }}

)

select * from covered_years
