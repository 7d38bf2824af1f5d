{#-
    raw.run_parameters for a hand-run `dbt build`: the nightly writes the run's as-of date there before dbt
    runs (pipelines/load/build.py prepare_build); on a file without it, the evaluation is made as of today.
    A file from a run keeps that run's date; to evaluate as of another day, update the row (dbt_project/README.md).
    Same DDL as pipelines/load/schema.py RUN_PARAMETERS_DDL.
-#}
{% macro create_run_parameters_if_absent() %}
    create schema if not exists raw;
    create table if not exists raw.run_parameters (as_of date not null);
    insert into raw.run_parameters (as_of)
    select current_date where not exists (select 1 from raw.run_parameters);
{% endmacro %}
