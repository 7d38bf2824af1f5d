{#-
    Directional criteria (further reading 4): met when strictly better than the baseline (or by at
    least pct when the rule has one); before the last period better is on_track, worse off_track.
    The baseline period itself is judged against the final target, so it is not_met. A target due before the
    last period ("−30 % within 2 years, held after") is met/not_met from its due period on.
-#}
{#- Expected: the baseline changed by pct (the baseline itself without one). -#}
{% macro expected_change_vs_baseline(e) -%}
    {{ e }}.baseline_value * (1 + coalesce({{ e }}.pct, 0) / 100)
{%- endmacro %}

{#- Status. -#}
{% macro rule_change_vs_baseline(e) -%}
    case
        when {{ e }}.baseline_value is null then 'missing_baseline'
        when {{ e }}.period_index < coalesce({{ e }}.due_index, {{ e }}.last_index)
            and {{ e }}.period_index <> {{ e }}.baseline_index
            then case when {{ compare(e ~ '.value', e ~ '.op', e ~ '.expected_value') }}
                then 'on_track' else 'off_track' end
        when {{ compare(e ~ '.value', e ~ '.op', e ~ '.expected_value') }} then 'met'
        else 'not_met'
    end
{%- endmacro %}

{#- The Danish target sentence: lower or higher than the baseline (by at least pct), with where it came from. -#}
{% macro target_da_change_vs_baseline(e) -%}
    'mål: ' || case when coalesce({{ e }}.pct, 0) <> 0 then 'mindst ' || {{ number_da('abs(' ~ e ~ '.pct)') }} || ' % '
        else '' end
    || case when {{ e }}.op like '<%' then 'lavere' else 'højere' end || ' end baseline '
    || {{ number_da(e ~ '.baseline_value') }} || coalesce(' (' || {{ e }}.baseline_period || ')', '')
    || {{ e }}.baseline_source_text
    || case when coalesce({{ e }}.pct, 0) <> 0
        then ', dvs. ' || {{ op_da(e ~ '.op') }} || ' ' || {{ number_da(e ~ '.expected_value', 2) }} else '' end
{%- endmacro %}
