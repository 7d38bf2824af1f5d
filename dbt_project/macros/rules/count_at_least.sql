{#-
    yearly_count_at_least and share_at_least: each calendar year on its own (rule 7), value >= threshold
    (op as written, >= by default; ranges: the lower bound, rule 6). With a due period (a running mean
    judged at plan end, further reading 6) the years before it are on_track/off_track.
-#}
{#- Expected: the threshold itself. -#}
{% macro expected_count_at_least(e) -%}
    {{ e }}.threshold
{%- endmacro %}

{#- Status. -#}
{% macro rule_count_at_least(e) -%}
    case
        when {{ e }}.threshold is null then 'missing_baseline'
        when {{ e }}.due_index is not null and {{ e }}.period_index < {{ e }}.due_index
            then case when {{ compare(e ~ '.value', "coalesce(" ~ e ~ ".op, '>=')", e ~ '.threshold') }}
                then 'on_track' else 'off_track' end
        when {{ compare(e ~ '.value', "coalesce(" ~ e ~ ".op, '>=')", e ~ '.threshold') }} then 'met'
        else 'not_met'
    end
{%- endmacro %}

{#- The Danish target sentence: the threshold (target_text). -#}
{% macro target_da_count_at_least(e) -%}
    'mål: ' || {{ e }}.target_text
{%- endmacro %}
