{#-
    Protects: kpi_status completeness (issue 4). Every evaluation unit (criterion × area) has a row for
    each period from its first to its last period, even without data (then `missing_data`).
    Reproduce a failure: add `where value is not null` to the final select of int_kpi__evaluated.sql
    and run `dbt build`; this test lists the dropped unit periods.
-#}
with

units as (

    select * from {{ ref('stg_catalog__units') }}

),

expected as (

    select
        units.criterion_id,
        units.area_key,
        cast(years.year_number as varchar) as period
    from units,
        generate_series(cast(units.first_period as integer), cast(units.last_period as integer))
            as years (year_number)

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
