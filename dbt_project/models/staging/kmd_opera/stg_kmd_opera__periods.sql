with

source as (

    {{ rows_of_valid_files('kmd_opera', 'kmd_opera', 'start_date', 'end_date') }}

),

renamed as (

    select
        cast(person_id as varchar) as person_id,
        cast(birth_year as integer) as birth_year,
        cast(area_key as varchar) as area_key,
        cast(post_type as varchar) as post_type,
        cast(code as varchar) as code,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        cast(exit_reason as varchar) as exit_reason,
        cast(end_tie_rank as integer) as end_tie_rank,
        cast(source_file as varchar) as source_file,
        cast(source_row as integer) as source_row,
        cast(delivered_at as date) as delivered_at,
        cast(loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
