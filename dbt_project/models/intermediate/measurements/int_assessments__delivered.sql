{#-
    The verdicts in force from every assessment source (a fixed list: tests/test_dbt_graph.py holds it equal to
    the parsers' registry, assessment_sources()), loaded files only; per
    canonical criterion, area and year the latest delivery wins; within one file the first by criterion_id,
    then assessment text and score (never the rows' order in the file). A verdict named for one catalog entry
    holds for every entry sharing its canonical_id, as baselines do.
-#}
{%- set assessment_models = [
    'stg_lbf_central__assessments', 'stg_qualitative_interviews__assessments',
    'stg_samarbejdsudvalg_evaluation__assessments',
] %}
with

{% for model in assessment_models %}
    {{ model }} as (

        select * from {{ ref(model) }}

    ),

{% endfor %}
unioned as (

    {% for model in assessment_models %}
        select * from {{ model }}
        {% if not loop.last %}union all by name{% endif %}
    {% endfor %}

),

ledger as (

    select * from {{ ref('stg_ledger__load_ledger') }}

),

criteria as (

    select
        criterion_id,
        canonical_id
    from {{ ref('stg_catalog__criteria') }}

),

loaded as (

    {{ rows_of_loaded_files('unioned', 'ledger') }}

),

active as (

    select
        criteria.canonical_id,
        loaded.*
    from loaded
    inner join criteria
        on loaded.criterion_id = criteria.criterion_id

),

latest as (

    select *
    from active
    {{ latest_delivery_wins(['canonical_id', 'area_key', 'period'],
                            ['delivered_at desc', 'source_file desc', 'criterion_id asc', 'assessment asc',
                             'score asc']) }}

)

select * from latest
