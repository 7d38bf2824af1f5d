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

loaded as (

    {{ rows_of_loaded_files('decisions', 'ledger') }}

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
                            ['delivered_at desc', 'source_file desc', 'criterion_id asc', 'baseline_value asc']) }}

)

select * from latest
