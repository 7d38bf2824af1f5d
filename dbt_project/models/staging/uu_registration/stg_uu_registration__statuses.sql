with

source as (

    {{ rows_of_valid_files('uu_registration', 'uu_registration') }}

),

renamed as (

    select
        cast(person_id as varchar) as person_id,
        cast(birth_year as integer) as birth_year,
        cast(area_key as varchar) as area_key,
        cast(status_date as date) as status_date,
        cast(status as varchar) as status,
        cast(source_file as varchar) as source_file,
        cast(source_row as integer) as source_row,
        cast(delivered_at as date) as delivered_at,
        cast(loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
