{#-
    Every aggregate source's observations, from active files only, the latest delivery winning per cell, and the
    measures computed from the person-level sources (persons/, already from valid files only).
-#}
{%- set person_measures = [
    'int_persons__benefit_recipients', 'int_persons__benefit_spell_length',
    'int_persons__benefit_exits_and_placements', 'int_persons__youth_education_enrolment',
    'int_pupils__school_absence', 'int_pupils__dropout_list', 'int_pupils__education_readiness',
    'int_children__cohort_visits', 'int_children__yearly_visits', 'int_mothers__questionnaire_development',
] %}
with

{% for source_system in var('observation_sources') %}
    {{ source_system }} as (

        select * from {{ ref('stg_' ~ source_system ~ '__observations') }}

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

    {% for source_system in var('observation_sources') %}
        select * from {{ source_system }}
        {% if not loop.last %}union all by name{% endif %}
    {% endfor %}

),

active as (

    select unioned.*
    from unioned
    inner join ledger
        on unioned.source_file = ledger.file_name
            and ledger.status = 'loaded'

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
    qualify row_number() over (
            partition by source_system, indicator, area_key, period
            order by delivered_at desc, loaded_at desc, source_file desc
        ) = 1

)

select * from latest
