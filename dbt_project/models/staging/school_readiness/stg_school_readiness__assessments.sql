with

source as (

    {{ rows_of_valid_files('school_readiness', 'school_readiness') }}

),

renamed as (

    select
        cast(school_year as varchar) as school_year,
        cast(pupil_id as varchar) as pupil_id,
        cast(grade as integer) as grade,
        cast(area_key as varchar) as area_key,
        cast(assessment_date as date) as assessment_date,
        cast(is_ready as boolean) as is_ready,
        cast(source_file as varchar) as source_file,
        cast(source_row as integer) as source_row,
        cast(delivered_at as date) as delivered_at,
        cast(loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
