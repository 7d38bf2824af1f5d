{#-
    Staging for a source of verdicts on criteria (source_formats.md section 17), parsed into the
    observation shape with indicator = the criterion id (pipelines/parse/_assessments.py): the
    observation staging (stage_observations: rename and cast) renamed to a verdict.

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

observations as (

    {{ stage_observations(source_system) }}

),

renamed as (

    select
        source_system,
        source_file,
        delivered_at,
        source_row,
        indicator as criterion_id,
        area_key,
        period,
        value as score,
        case cast(value as double)
            when 1 then 'Opfyldt'
            when 0.5 then 'Delvist opfyldt'
            when 0 then 'Ikke opfyldt'
            else 'Ikke vurderet'
        end
        || ' ({{ source_names.get(source_system, source_system) }}, '
        || cast(source_file as varchar)
        || '; begrundelsen publiceres ikke)' as assessment,
        source_label as assessment_text

    from observations

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
