{#-
    The rows of a raw table parsed row by row (person-level sources, the questionnaire) that come from
    the valid file of their delivery chain: ledger status `loaded` (not superseded, not rejected).
-#}
{% macro rows_of_valid_files(source_system, table_name) %}
    select delivered_rows.*
    from {{ source(source_system, table_name) }} as delivered_rows
    inner join {{ source('ledger', 'load_ledger') }} as ledger
        on delivered_rows.source_file = ledger.file_name
    where ledger.status = 'loaded'
{% endmacro %}
