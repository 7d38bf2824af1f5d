{#-
    Generic test: the listed columns form a key (no dbt_utils offline).
    Protects: the grain stated in a model's yml. Reproduce a failure: insert a duplicate row into the
    model's input (e.g. the same criterion twice in criteria.yaml) and run `dbt build`.
-#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as n
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
