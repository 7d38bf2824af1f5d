{#-
    Staging for a source of verdicts on criteria (source_formats.md section 17), parsed into the
    observation shape with indicator = the criterion id (pipelines/parse/_assessments.py).

    Free text from a delivery is untrusted (docs/privacy.d/20-cpr-and-free-text.md): `Begrundelse` and
    `Kilde` may name a resident or an address, which no check can rule out. Only the verdict (a closed
    list, from the score) and where it came from (the source and the delivered file) are published, as
    `assessment`; the delivered sentence stays internal in `assessment_text`.
-#}
{% macro stage_assessments(source_system) %}
{%- set source_names = {
    'samarbejdsudvalg_evaluation': 'samarbejdsudvalgets evaluering',
    'qualitative_interviews': 'kvalitative interviews',
    'lbf_central': 'Landsbyggefondens vurdering',
} -%}
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
        case cast(value as double)
            when 1 then 'Opfyldt'
            when 0.5 then 'Delvist opfyldt'
            when 0 then 'Ikke opfyldt'
            else 'Ikke vurderet'
        end
        || ' ({{ source_names.get(source_system, source_system) }}, '
        || cast(source_file as varchar)
        || '; begrundelsen publiceres ikke)' as assessment,
        cast(label as varchar) as assessment_text

    from source

)

select * from renamed
{% endmacro %}

{#-
    The published form of a status_reason: a qualitative row's reason written before free text was kept
    internal (`Opfyldt: <Begrundelse> (<Kilde>)`, still in the snapshot of an older warehouse) is cut to its
    verdict. Used by kpi_status_history, so no earlier version publishes a delivered sentence.
-#}
{% macro published_reason(status, status_reason) -%}
    case
        when {{ status }} = 'qualitative' and {{ status_reason }} not like '%; begrundelsen publiceres ikke)'
            then split_part({{ status_reason }}, ':', 1) || ' (begrundelsen publiceres ikke)'
        else {{ status_reason }}
    end
{%- endmacro %}
