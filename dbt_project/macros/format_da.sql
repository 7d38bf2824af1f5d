{#- Danish number text: decimal comma, at most `decimals` decimals, no trailing zeros (30,65; 34,2; 36). -#}
{% macro number_da(x, decimals=2) -%}
    replace(rtrim(rtrim(printf('%.{{ decimals }}f', {{ x }}), '0'), '.'), '.', ',')
{%- endmacro %}

{% macro unit_suffix_da(unit) -%}
    case {{ unit }}
        when 'rate_per_1000' then ' pr. 1000'
        when 'percent' then ' %'
        when 'index' then ' (indeks)'
        when 'days' then ' dage'
        else ''
    end
{%- endmacro %}

{% macro op_da(op) -%}
    case {{ op }}
        when '<' then 'under'
        when '<=' then 'højst'
        when '>' then 'over'
        when '>=' then 'mindst'
        when '==' then 'præcis'
    end
{%- endmacro %}
