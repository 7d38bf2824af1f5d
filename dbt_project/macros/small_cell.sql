{#-
    Contract rule 8, primary suppression, for a value that does not come from measurements (a baseline
    from the catalog or a delivered decision): a count of persons below 5, or a share/rate whose
    numerator or denominator counts fewer than 5 persons. A zero is published as zero. `is_event` is
    true for indicators listed in the event_indicators seed. The same rule for measured figures, and
    complementary suppression, is pipelines/privacy/disclosure.py (is_small), via
    int_measurements__disclosure; tests/test_disclosure.py checks that both agree.
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
