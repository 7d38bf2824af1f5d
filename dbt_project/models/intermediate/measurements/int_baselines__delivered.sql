{#-
    Delivered baselines from loaded files only; per canonical criterion, area and period the latest delivery wins
    (within one file: the first by criterion_id, then value; never the rows' order).
-#}
with

decisions as (

    select * from {{ ref('stg_baselines__decisions') }}

),

latest as (

    {{ criterion_rows_in_force('decisions', ['loaded.baseline_value asc']) }}

)

select * from latest
