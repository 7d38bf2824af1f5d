{#-
    The rows of a raw table parsed row by row (person-level sources, the questionnaire) that come from
    the valid file of their delivery chain: ledger status `loaded` (not superseded, not rejected).

    Multi-year extracts (`YYYY-YYYY`) replace all periods they cover (source_formats.md section 0): when
    `first_day`/`last_day` name a row's dates, a row is dropped if a later loaded file of the same source
    and file type covers any day of it, because that extract holds the row again (or no longer).
    `last_day` null means open (the row runs on).
-#}
{% macro rows_of_valid_files(source_system, table_name, first_day=none, last_day=none) %}
    select delivered_rows.*
    from {{ source(source_system, table_name) }} as delivered_rows
    inner join {{ source('ledger', 'load_ledger') }} as ledger
        on delivered_rows.source_file = ledger.file_name
    where
        ledger.status = 'loaded'
        {% if first_day %}
            and not exists (
                select 1
                from {{ source('ledger', 'load_ledger') }} as newer
                where
                    newer.source_system = ledger.source_system
                    and coalesce(newer.file_type, '') = coalesce(ledger.file_type, '')
                    and newer.status = 'loaded'
                    and newer.delivered_at > ledger.delivered_at
                    and newer.period_start <= coalesce(delivered_rows.{{ last_day }}, date '9999-12-31')
                    and newer.period_end >= delivered_rows.{{ first_day }}
            )
        {% endif %}
{% endmacro %}
