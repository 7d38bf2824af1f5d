with

source as (

    {{ rows_of_valid_files('questionnaire', 'questionnaire') }}

),

renamed as (

    select
        cast(course_id as varchar) as course_id,
        cast(area_key as varchar) as area_key,
        cast(respondent_id as varchar) as respondent_id,
        cast(wave as varchar) as wave,
        cast(response_date as date) as response_date,
        cast(score as double) as score,
        cast(items_answered as integer) as items_answered,
        cast(source_file as varchar) as source_file,
        cast(source_row as integer) as source_row,
        cast(delivered_at as date) as delivered_at,
        cast(loaded_at as timestamp) as loaded_at

    from source

)

select * from renamed
