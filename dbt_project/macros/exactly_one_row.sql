{#-
    Generic test: the relation has exactly one row (a table of parameters, e.g. raw.run_parameters).
    Protects: every model reading a parameter gets one value, not none or two. Reproduce a failure: insert a
    second row into raw.run_parameters of a build file and run `dbt build`.
-#}
{% test exactly_one_row(model) %}
select count(*) as n
from {{ model }}
having count(*) <> 1
{% endtest %}
