{#-
    The status of one evaluation row. Order: not yet ended (or not yet published), qualitative,
    no value that no delivery can give (needs_reading), suppressed, no value (stale when the source has
    stopped delivering, else missing_data), then the rule of the row's kind. `e` is the alias of a relation with the columns of int_kpi__evaluation_grid
    (kind/op/pct/threshold already resolved for the period's phase) plus expected_value.
-#}
{% macro kpi_status(e) -%}
    case
        when {{ e }}.period_end > {{ e }}.as_of or not {{ e }}.is_published then 'not_due'
        when {{ e }}.kind = 'qualitative' then case
            when {{ e }}.assessment is not null then 'qualitative'
            when {{ e }}.needs_reading_da is not null then 'needs_reading'
            else 'missing_data'
        end
        when {{ e }}.value is null and {{ e }}.needs_reading_da is not null then 'needs_reading'
        when {{ e }}.suppressed then 'suppressed'
        when {{ e }}.value is null then case when {{ e }}.is_stale then 'stale' else 'missing_data' end
        when {{ e }}.kind in ('absolute_threshold', 'reach_by_date') then {{ rule_absolute_threshold(e) }}
        when {{ e }}.kind = 'yearly_pct_change_vs_previous_year' then {{ rule_yearly_pct_change_vs_previous_year(e) }}
        when {{ e }}.kind = 'change_vs_baseline' then {{ rule_change_vs_baseline(e) }}
        when {{ e }}.kind in ('yearly_count_at_least', 'share_at_least') then {{ rule_count_at_least(e) }}
    end
{%- endmacro %}

{#-
    The value a rule compares against in this period (threshold, straight line, chained or baseline target):
    each rule kind's file says it (expected_<kind>); the threshold itself for every other kind.
-#}
{% macro expected_value(e) -%}
    case
        when {{ e }}.kind in ('absolute_threshold', 'reach_by_date') then {{ expected_absolute_threshold(e) }}
        when {{ e }}.kind = 'yearly_pct_change_vs_previous_year'
            then {{ expected_yearly_pct_change_vs_previous_year(e) }}
        when {{ e }}.kind = 'change_vs_baseline' then {{ expected_change_vs_baseline(e) }}
        when {{ e }}.kind in ('yearly_count_at_least', 'share_at_least') then {{ expected_count_at_least(e) }}
        else {{ e }}.threshold
    end
{%- endmacro %}

{#-
    The Danish target sentence of a judged row (met, not_met, on_track, off_track): each rule kind's file says it
    (target_da_<kind>). `e` is a relation of int_kpi__evaluated's `explained` step (target_text,
    baseline_source_text).
-#}
{% macro target_da(e) -%}
    case
        when {{ e }}.kind in ('absolute_threshold', 'reach_by_date') then {{ target_da_absolute_threshold(e) }}
        when {{ e }}.kind = 'yearly_pct_change_vs_previous_year'
            then {{ target_da_yearly_pct_change_vs_previous_year(e) }}
        when {{ e }}.kind = 'change_vs_baseline' then {{ target_da_change_vs_baseline(e) }}
        else {{ target_da_count_at_least(e) }}
    end
{%- endmacro %}
