{#-
    Every aggregate source's observations, from active files only, the latest delivery winning per cell, and the
    measures computed from the person-level sources (persons/, already from valid files only).

    Both lists are the project's fixed graph: every aggregate source that feeds measurements has a staging model
    here (a source with no delivery stages zero rows), so a hand-run `dbt build` builds what the nightly builds.
    tests/test_dbt_graph.py holds the first list equal to the parsers' registry (measurement_sources()).
-#}
{%- set observation_models = [
    'stg_bl_tables__observations', 'stg_brand_redning__observations', 'stg_dst_noegletal__observations',
    'stg_event_attendance_estimate__observations', 'stg_fraflytning_admin__observations',
    'stg_local_substance_survey__observations', 'stg_media_monitoring__observations',
    'stg_misbrug_treatment_registry__observations', 'stg_own_registrations__observations',
    'stg_partnership_followup__observations', 'stg_police_crime_statistics__observations',
    'stg_police_haervaerk__observations', 'stg_police_tryghedsindeks__observations',
    'stg_sub_list_government__observations', 'stg_vive_lbf_survey__observations',
    'stg_web_analytics__observations',
] %}
{%- set person_measures = [
    'int_persons__benefit_recipients', 'int_persons__benefit_spell_length',
    'int_persons__benefit_exits_and_placements', 'int_persons__youth_education_enrolment',
    'int_pupils__school_absence', 'int_pupils__dropout_list', 'int_pupils__education_readiness',
    'int_children__cohort_visits', 'int_children__yearly_visits', 'int_mothers__questionnaire_development',
] %}
with

{% for model in observation_models %}
    {{ model }} as (

        select * from {{ ref(model) }}

    ),

{% endfor %}
{% for model in person_measures %}
    {{ model }} as (

        select * from {{ ref(model) }}

    ),

{% endfor %}
ledger as (

    select * from {{ ref('stg_ledger__load_ledger') }}

),

unioned as (

    {% for model in observation_models %}
        select * from {{ model }}
        {% if not loop.last %}union all by name{% endif %}
    {% endfor %}

),

active as (

    {{ rows_of_loaded_files('unioned', 'ledger') }}

),

person_level as (

    {% for model in person_measures %}
        select * from {{ model }}
        {% if not loop.last %}union all by name{% endif %}
    {% endfor %}

),

latest as (

    select *
    from (
        select * from active
        union all by name
        select * from person_level
    )
    {{ latest_delivery_wins(['source_system', 'indicator', 'area_key', 'period']) }}

)

select * from latest
