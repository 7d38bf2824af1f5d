{#- The yearly evaluation period of a measurement period:
    a stock date 'YYYY-MM-DD' (e.g. 1.10.2017) counts for its year. -#}
{% macro year_period(period) -%}
    case when regexp_full_match({{ period }}, '\d{4}-\d{2}-\d{2}') then left({{ period }}, 4) else {{ period }} end
{%- endmacro %}
