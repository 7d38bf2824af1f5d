with

source as (

    {{ rows_of_valid_files('novax', 'novax', 'visit_date', 'visit_date') }}

),

renamed as (

    select
        cast(child_id as varchar) as child_id,
        cast(birth_year as integer) as birth_year,
        cast(birth_date_month as integer) as birth_date_month,
        cast(area_key as varchar) as area_key,
        cast(visit_type as varchar) as visit_type,
        cast(visit_date as date) as visit_date,
        cast(visit_age_days as integer) as visit_age_days,
        cast(visit_status as varchar) as visit_status,
        cast(source_file as varchar) as source_file,
        cast(source_row as integer) as source_row,
        cast(delivered_at as date) as delivered_at,
        cast(loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
