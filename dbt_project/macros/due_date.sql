{#- The day a period's delivery is due: its last day plus the delivery calendar's offset (null: no deadline). -#}
{% macro due_date(period_end, deadline_months, deadline_days) -%}
    case
        when {{ deadline_months }} is not null or {{ deadline_days }} is not null
            then cast(
                {{ period_end }}
                + to_months(coalesce({{ deadline_months }}, 0)::integer)
                + to_days(coalesce({{ deadline_days }}, 0)::integer) as date
            )
    end
{%- endmacro %}
