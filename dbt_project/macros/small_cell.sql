{#-
    Contract rule 8: a count of persons below 5, or a share/rate whose numerator or denominator
    counts fewer than 5 persons, is suppressed in the published file. A zero is published as zero.
    `is_event` is true for indicators listed in the event_indicators seed.
-#}
{% macro is_small_cell(value, numerator, denominator, unit, is_event) -%}
    coalesce(
        not coalesce({{ is_event }}, false)
        and (
            ({{ unit }} in ('count', 'fte_persons') and {{ value }} > 0 and {{ value }} < 5)
            or ({{ numerator }} > 0 and {{ numerator }} < 5)
            or ({{ denominator }} > 0 and {{ denominator }} < 5)
        ),
        false
    )
{%- endmacro %}

{#-
    Rule 8, secondary suppression: a total or mean over the areas (`combined`, `combined_mean`) of a
    person indicator whose area cells include a hidden one could be used to recover it by subtraction.
    `has_hidden_area_cell` comes from int_measurements__small_cells (null when there is no area cell).
-#}
{% macro is_derivable_from_areas(area_key, is_event, has_hidden_area_cell) -%}
    ({{ area_key }} in ('combined', 'combined_mean')
        and not coalesce({{ is_event }}, false)
        and coalesce({{ has_hidden_area_cell }}, false))
{%- endmacro %}

{#- The year a cell belongs to for secondary suppression: quarters and stock dates count for their year. -#}
{% macro disclosure_period(period) -%}
    case
        when regexp_full_match({{ period }}, '\d{4}Q[1-4]') then left({{ period }}, 4)
        else {{ year_period(period) }}
    end
{%- endmacro %}
