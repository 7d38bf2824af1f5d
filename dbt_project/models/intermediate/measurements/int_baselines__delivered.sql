{#-
    Delivered baselines from loaded files only; per canonical criterion, area and period the latest delivery wins
    (within one file: the first by criterion_id, then value; never the rows' order).
-#}
with

decisions as (

    select * from {{ ref('stg_baselines__decisions') }}

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
        decisions.*
    from decisions
    inner join ledger
        on decisions.source_file = ledger.file_name
            and ledger.status = 'loaded'
    inner join criteria
        on decisions.criterion_id = criteria.criterion_id

),

latest as (

    select *
    from active
    qualify row_number() over (
            partition by canonical_id, area_key, period
            order by delivered_at desc, source_file desc, criterion_id asc, baseline_value asc
        ) = 1

)

select * from latest
