with

source as (

    {{ rows_of_valid_files('school_absence', 'school_absence_dropout') }}

),

renamed as (

    select
        cast(quarter as varchar) as quarter,
        cast(pupil_id as varchar) as pupil_id,
        cast(area_key as varchar) as area_key,
        cast(source_file as varchar) as source_file,
        cast(source_row as integer) as source_row,
        cast(delivered_at as date) as delivered_at,
        cast(loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
