{#-
    Rows in force: which delivered rows count. Every model that reads delivered rows uses these macros, so the
    rule is written once:
    * a row counts only if its file is `loaded` in the ledger (not superseded, not rejected): rows_of_loaded_files;
    * of a person-level source, a row of a multi-year extract is also dropped when a later extract covers its
      dates (rows_of_valid_files);
    * where several loaded deliveries hold the same key, the latest delivery wins: latest_delivery_wins (person
      rows: latest_person_rows; baseline decisions and verdicts: criterion_rows_in_force).
-#}

{#- The rows of `relation` whose file is `loaded` in `ledger` (both a relation or a CTE name). -#}
{% macro rows_of_loaded_files(relation, ledger) %}
    select delivered_rows.*
    from {{ relation }} as delivered_rows
    inner join {{ ledger }} as ledger
        on delivered_rows.source_file = ledger.file_name
    where
        ledger.status = 'loaded'
{% endmacro %}

{#-
    The rows of a raw table parsed row by row (person-level sources, the questionnaire) that come from
    the valid file of their delivery chain: ledger status `loaded` (not superseded, not rejected).

    Multi-year extracts (`YYYY-YYYY`) replace all periods they cover (source_formats.md section 0): when
    `first_day`/`last_day` name a row's dates, a row is dropped if a later loaded file of the same source
    and file type covers any day of it, because that extract holds the row again (or no longer).
    `last_day` null means open (the row runs on).
-#}
{% macro rows_of_valid_files(source_system, table_name, first_day=none, last_day=none) %}
    {{ rows_of_loaded_files(source(source_system, table_name), source('ledger', 'load_ledger')) }}
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

{#-
    One row per key (`partition_by`): the latest delivery wins, then `order_by`'s further columns decide within one
    file (never the rows' order in the file). A `qualify` clause, for a select over loaded rows.
-#}
{% macro latest_delivery_wins(partition_by, order_by=['delivered_at desc', 'loaded_at desc', 'source_file desc']) -%}
    qualify row_number() over (
            partition by {{ partition_by | join(', ') }}
            order by {{ order_by | join(', ') }}
        ) = 1
{%- endmacro %}

{#-
    The delivered rows on criteria (baseline decisions, verdicts: `rows`, a relation with criterion_id) in force:
    loaded files only; one per canonical criterion × area × period, the latest delivery winning, within one file the
    first by criterion_id, then `tie_break`. A row named for one catalog entry holds for every entry sharing its
    canonical_id. Returns canonical_id, then the columns of `rows`.
-#}
{% macro criterion_rows_in_force(rows, tie_break) -%}
    select
        criteria.canonical_id,
        loaded.*
    from ({{ rows_of_loaded_files(rows, ref('stg_ledger__load_ledger')) }}) as loaded
    inner join {{ ref('stg_catalog__criteria') }} as criteria
        on loaded.criterion_id = criteria.criterion_id
    {{ latest_delivery_wins(['criteria.canonical_id', 'loaded.area_key', 'loaded.period'],
                            ['loaded.delivered_at desc', 'loaded.source_file desc', 'loaded.criterion_id asc']
                            + tie_break) }}
{%- endmacro %}

{#-
    One row per key from the staging rows of valid files: where overlapping extracts (kmd_opera 2015-2018 and
    2017-2021) both hold a record, the latest delivery's version wins (an open period closed later, a corrected
    code). Set-based, so it stays correct when the facts become incremental.
    Where one file holds a key twice, `tie_break` (the row's other columns, each with its direction) decides,
    never the rows' order in the file; a source whose parser rejects a repeated key needs none.
-#}
{% macro latest_person_rows(relation, key_columns, tie_break=[]) -%}
    select *
    from {{ relation }}
    {{ latest_delivery_wins(key_columns, ['delivered_at desc', 'loaded_at desc', 'source_file desc'] + tie_break) }}
{%- endmacro %}
