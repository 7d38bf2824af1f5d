{#-
    absolute_threshold / reach_by_date: `value op threshold`. Rules 4-6 of the contract: strict and
    non-strict ops as written; ranges use the lower bound (threshold); an end-of-plan target is
    met/not_met in its due period and for the baseline period, and on_track/off_track in between
    against the straight line from the baseline to the target (against the target itself while the
    baseline is unknown). A threshold taken from a comparator that was not delivered → missing_baseline.
-#}
{% macro rule_absolute_threshold(e) -%}
    case
        when {{ e }}.threshold is null then 'missing_baseline'
        when {{ e }}.due_index is null
            or {{ e }}.period_index >= {{ e }}.due_index
            or {{ e }}.period_index = {{ e }}.baseline_index
            then case when {{ compare(e ~ '.value', e ~ '.op', e ~ '.threshold') }} then 'met' else 'not_met' end
        when {{ e }}.baseline_value is null
            then case when {{ compare(e ~ '.value', e ~ '.op', e ~ '.threshold') }} then 'on_track' else 'off_track' end
        when {{ compare(e ~ '.value', non_strict(e ~ '.op'), e ~ '.expected_value') }} then 'on_track'
        else 'off_track'
    end
{%- endmacro %}
