{#-
    Rule 1: relative change chained against the previous period's actual value:
    met when value <= (1 + pct/100) * previous (op as written; pct negative for a fall).
    A previous value of 0 is met only by 0. No pct ("falder fortsat"): value op previous.
    No (or a suppressed) previous value → missing_baseline.
-#}
{% macro rule_yearly_pct_change_vs_previous_year(e) -%}
    case
        when {{ e }}.previous_value is null then 'missing_baseline'
        when {{ e }}.previous_value = 0 then case when {{ e }}.value = 0 then 'met' else 'not_met' end
        when {{ compare(e ~ '.value', e ~ '.op', e ~ '.expected_value') }} then 'met'
        else 'not_met'
    end
{%- endmacro %}
