{#- yearly_count_at_least and share_at_least: each period on its own, value >= threshold (ranges: lower bound, rule 6). -#}
{% macro rule_count_at_least(e) -%}
    case when {{ e }}.value >= {{ e }}.threshold then 'met' else 'not_met' end
{%- endmacro %}
