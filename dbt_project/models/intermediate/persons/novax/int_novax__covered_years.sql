{#- The calendar years the valid files of novax cover (macro covered_years): the years its measures count. -#}
with

covered_years as (

    {{ covered_years(ref('stg_novax__visits')) }}

)

select * from covered_years
