{#-
    Protects: kpi_status completeness (issue 4). Every evaluation unit (criterion × area) has a row for
    each period of its grain from its first to its last period, even without data (then `missing_data`).
    Reproduce a failure: add `where value is not null` to the final select of int_kpi__evaluated.sql
    and run `dbt build`; this test lists the dropped unit periods.
-#}
with

units as (

    select * from {{ ref('stg_catalog__units') }}

),

periods as (

    select * from {{ ref('stg_catalog__periods') }}

),

expected as (

    select
        units.criterion_id,
        units.area_key,
        periods.period
    from units
    inner join periods
        on units.period_grain = periods.period_grain
            and periods.period_index between units.first_index and units.last_index

),

published as (

    select
        criterion_id,
        area_key,
        period
    from {{ ref('kpi_status') }}

)

select * from expected
except
select * from published
