{#-
    Staging for a source of verdicts on criteria (source_formats.md section 17), parsed into the
    observation shape with indicator = the criterion id (pipelines/ingest/parsers/_assessments.py):
    rename and cast only.
-#}
{% macro stage_assessments(source_system) %}
with

source as (

    select * from {{ source(source_system, source_system) }}

),

renamed as (

    select
        cast(source_system as varchar) as source_system,
        cast(source_file as varchar) as source_file,
        cast(delivered_at as date) as delivered_at,
        cast(source_row as integer) as source_row,
        cast(indicator as varchar) as criterion_id,
        cast(area_key as varchar) as area_key,
        cast(period as varchar) as period,
        cast(value as double) as score,
        cast(label as varchar) as assessment,

    from source

)

select * from renamed
{% endmacro %}
