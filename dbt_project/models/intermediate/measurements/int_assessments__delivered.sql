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

latest as (

    {{ criterion_rows_in_force('unioned', ['loaded.assessment asc', 'loaded.score asc']) }}

)

select * from latest
