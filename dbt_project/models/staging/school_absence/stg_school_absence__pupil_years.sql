with

source as (

    {{ rows_of_valid_files('school_absence', 'school_absence') }}

),

renamed as (

    select
        cast(school_year as varchar) as school_year,
        cast(pupil_id as varchar) as pupil_id,
        cast(area_key as varchar) as area_key,
        cast(school_days as integer) as school_days,
        cast(absence_sick_days as double) as absence_sick_days,
        cast(absence_lawful_days as double) as absence_lawful_days,
        cast(absence_unlawful_days as double) as absence_unlawful_days,
        cast(source_file as varchar) as source_file,
        cast(source_row as integer) as source_row,
        cast(delivered_at as date) as delivered_at,
        cast(loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
