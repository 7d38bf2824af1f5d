{#-
    Snapshot timestamps are the run's time: the start of this dbt invocation in UTC (one value for the
    whole run), as a plain TIMESTAMP, instead of now() in the session's time zone per statement.
    Override with --vars '{"run_time": "YYYY-MM-DD HH:MM:SS"}'.
-#}
{% macro duckdb__snapshot_get_time() -%}
    '{{ var("run_time", run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f")) }}'::timestamp
{%- endmacro %}
