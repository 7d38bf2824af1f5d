{#-
    absolute_threshold / reach_by_date: `value op threshold`. Rules 4-6 of the contract: strict and
    non-strict ops as written; ranges use the lower bound (threshold); an end-of-plan target is
    met/not_met in its due period and for the baseline period, and on_track/off_track in between
    against the straight line from the baseline to the target (against the target itself while the
    baseline is unknown). A threshold taken from a comparator that was not delivered → missing_baseline.
-#}
{#- Expected: the target in its due period, for the baseline period and while the baseline is unknown; in between
    the straight line from the baseline to the target. -#}
{% macro expected_absolute_threshold(e) -%}
    case
        when {{ e }}.due_index is null or {{ e }}.period_index >= {{ e }}.due_index
            or {{ e }}.period_index = {{ e }}.baseline_index or {{ e }}.baseline_value is null
            then {{ e }}.threshold
        else {{ straight_line(e ~ '.baseline_value', e ~ '.threshold', e ~ '.period_index',
                              e ~ '.baseline_index', e ~ '.due_index') }}
    end
{%- endmacro %}

{#- Status. -#}
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

{#- The Danish target sentence: the target, and on the way to it the straight line's value for this period. -#}
{% macro target_da_absolute_threshold(e) -%}
    case
        when {{ e }}.status in ('on_track', 'off_track') and {{ e }}.baseline_value is not null then
            'mål: ' || {{ e }}.target_text || '; ret linje fra ' || {{ number_da(e ~ '.baseline_value') }}
            || coalesce(' (' || {{ e }}.baseline_period || ')', '')
            || ' giver ' || {{ op_da(non_strict(e ~ '.op')) }} || ' ' || {{ number_da(e ~ '.expected_value', 2) }}
        else 'mål: ' || {{ e }}.target_text
    end
{%- endmacro %}
