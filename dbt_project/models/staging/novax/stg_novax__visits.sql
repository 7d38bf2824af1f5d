with

source as (

    {{ rows_of_valid_files('novax', 'novax', 'visit_quarter', 'visit_quarter') }}

),

renamed as (

    select
        cast(child_id as varchar) as child_id,
        cast(birth_year as integer) as birth_year,
        cast(area_key as varchar) as area_key,
        cast(visit_type as varchar) as visit_type,
        cast(visit_key as varchar) as visit_key,
        cast(visit_quarter as date) as visit_quarter,
        cast(visit_status as varchar) as visit_status,
        cast(source_file as varchar) as source_file,
        cast(source_row as integer) as source_row,
        cast(delivered_at as date) as delivered_at,
        cast(loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
