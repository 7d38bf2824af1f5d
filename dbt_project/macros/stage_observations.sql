{#-
    Staging for an aggregate source parsed into the shared observation shape
    (pipelines/parse/base.py, OBSERVATION_SCHEMA): rename and cast only.
-#}
{% macro stage_observations(source_system) %}
with

source as (

    select * from {{ source(source_system, source_system) }}

),

renamed as (

    select
        cast(source_system as varchar) as source_system,
        cast(source_file as varchar) as source_file,
        cast(sha256 as varchar) as source_sha256,
        cast(delivered_at as date) as delivered_at,
        cast(loaded_at as timestamp) as loaded_at,
        cast(source_row as integer) as source_row,
        cast(indicator as varchar) as indicator,
        cast(area_key as varchar) as area_key,
        cast(period as varchar) as period,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        cast(value as double) as value,
        cast(numerator as double) as numerator,
        cast(denominator as double) as denominator,
        cast(unit as varchar) as unit,
        cast(suppressed as boolean) as suppressed,
        cast(label as varchar) as source_label,

    from source

)

select * from renamed
{% endmacro %}
