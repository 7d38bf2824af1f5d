{#-
    The reason of a row whose own value is published but whose comparison figure (baseline, or the previous
    period of a chained target) is hidden (rule 8). The same words as kpi_status.sql uses.
-#}
{% macro comparison_hidden_reason(status) -%}
    {{ status_da(status) }} || ': sammenligningstallet er diskretioneret.'
{%- endmacro %}
