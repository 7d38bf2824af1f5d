{#-
    The verdicts in force from every assessment source (var assessment_sources), loaded files only; per
    canonical criterion, area and year the latest delivery wins; within one file the first by criterion_id,
    then assessment text and score (never the rows' order in the file). A verdict named for one catalog entry
    holds for every entry sharing its canonical_id, as baselines do.
-#}
with

{% for source_system in var('assessment_sources') %}
    {{ source_system }} as (

        select * from {{ ref('stg_' ~ source_system ~ '__assessments') }}

    ),

{% endfor %}
unioned as (

    {% for source_system in var('assessment_sources') %}
        select * from {{ source_system }}
        union all by name
    {% endfor %}
    select
        cast(null as varchar) as source_system,
        cast(null as varchar) as source_file,
        cast(null as date) as delivered_at,
        cast(null as integer) as source_row,
        cast(null as varchar) as criterion_id,
        cast(null as varchar) as area_key,
        cast(null as varchar) as period,
        cast(null as double) as score,
        cast(null as varchar) as assessment
    where false

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

active as (

    select
        criteria.canonical_id,
        unioned.*
    from unioned
    inner join ledger
        on unioned.source_file = ledger.file_name
            and ledger.status = 'loaded'
    inner join criteria
        on unioned.criterion_id = criteria.criterion_id

),

latest as (

    select *
    from active
    qualify row_number() over (
            partition by canonical_id, area_key, period
            order by delivered_at desc, source_file desc, criterion_id asc, assessment asc, score asc
        ) = 1

)

select * from latest
