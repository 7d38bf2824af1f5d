{#-
    Rule 1: relative change chained against the previous period's actual value:
    met when value <= (1 + pct/100) * previous (op as written; pct negative for a fall).
    A previous value of 0 is met only by 0. No pct ("falder fortsat"): value op previous.
    No (or a suppressed) previous value → missing_baseline.
-#}
{#- Expected: the previous period's value changed by pct (the previous value itself without one). -#}
{% macro expected_yearly_pct_change_vs_previous_year(e) -%}
    {{ e }}.previous_value * (1 + coalesce({{ e }}.pct, 0) / 100)
{%- endmacro %}

{#- Status. -#}
{% macro rule_yearly_pct_change_vs_previous_year(e) -%}
    case
        when {{ e }}.previous_value is null then 'missing_baseline'
        when {{ e }}.previous_value = 0 then case when {{ e }}.value = 0 then 'met' else 'not_met' end
        when {{ compare(e ~ '.value', e ~ '.op', e ~ '.expected_value') }} then 'met'
        else 'not_met'
    end
{%- endmacro %}

{#- The Danish target sentence: a fall or rise (of at least pct) from the previous period's value. -#}
{% macro target_da_yearly_pct_change_vs_previous_year(e) -%}
    'mål: ' || case when coalesce({{ e }}.pct, 0) < 0 or {{ e }}.op like '<%' then 'fald' else 'stigning' end
    || case when coalesce({{ e }}.pct, 0) <> 0 then ' på mindst ' || {{ number_da('abs(' ~ e ~ '.pct)') }} || ' %'
        else '' end
    || ' fra ' || {{ number_da(e ~ '.previous_value') }} || ' i ' || {{ e }}.previous_period
    || case when {{ e }}.previous_value <> 0
        then ' (' || {{ op_da(e ~ '.op') }} || ' ' || {{ number_da(e ~ '.expected_value', 2) }} || ')'
        else ' (kun 0 opfylder, når værdien ' || {{ previous_da(e ~ '.period_grain') }} || ' var 0)' end
{%- endmacro %}
