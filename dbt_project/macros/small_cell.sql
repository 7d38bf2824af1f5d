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
