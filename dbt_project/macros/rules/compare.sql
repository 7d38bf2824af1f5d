{#- `a op b` for an op stored as data ('<', '<=', '>', '>=', '=='); null when any side is null. -#}
{% macro compare(a, op, b) -%}
    case {{ op }}
        when '<' then {{ a }} < {{ b }}
        when '<=' then {{ a }} <= {{ b }}
        when '>' then {{ a }} > {{ b }}
        when '>=' then {{ a }} >= {{ b }}
        when '==' then {{ a }} = {{ b }}
    end
{%- endmacro %}

{#- The non-strict form of an op, used against the straight line from baseline to target (rule 5). -#}
{% macro non_strict(op) -%}
    case {{ op }} when '<' then '<=' when '>' then '>=' else {{ op }} end
{%- endmacro %}

{#- Linear interpolation from the baseline to the target, at this period (rule 5). -#}
{% macro straight_line(baseline, target, period_index, baseline_index, due_index) -%}
    {{ baseline }} + ({{ target }} - {{ baseline }})
        * ({{ period_index }} - {{ baseline_index }})::double
        / nullif({{ due_index }} - {{ baseline_index }}, 0)
{%- endmacro %}
