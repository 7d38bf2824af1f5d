{#- Danish number text: decimal comma, thousands point, at most `decimals` decimals,
    no trailing zeros (30,65; 34,2; 36; 10.000). -#}
{% macro number_da(x, decimals=2) -%}
    {%- if decimals > 0 -%}
    translate(rtrim(rtrim(format('{:,.{{ decimals }}f}', {{ x }}), '0'), '.'), ',.', '.,')
    {%- else -%}
        translate(format('{:,.0f}', {{ x }}), ',.', '.,')
    {%- endif -%}
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

{#- Danish name of an area key in a sentence (comparators and aggregates included): the programme's own
    names (raw.catalog_area_names, pipelines/areas.py), else the key. The lookup renames its columns so that
    the argument always means the caller's column. -#}
{% macro area_da(area_key) -%}
    coalesce((
        select area_names.name_in_text
        from (
            select area_key as named_area_key, name_da as name_in_text from {{ ref('stg_catalog__area_names') }}
        ) as area_names
        where area_names.named_area_key = {{ area_key }}
    ), {{ area_key }})
{%- endmacro %}

{#- The status in Danish words (as in the board report; the vocabulary seed). -#}
{% macro status_da(status) -%}
    (
        select status_words.word_da
        from {{ ref('vocabulary') }} as status_words
        where status_words.kind = 'status' and status_words.key = {{ status }}
    )
{%- endmacro %}

{#- "the previous period" in Danish, for the grain of a row (pipelines/periods.py). -#}
{% macro previous_da(grain) -%}
    case {{ grain }}
        when 'quarter' then 'kvartalet før'
        when 'school_year' then 'skoleåret før'
        when 'birth_cohort' then 'årgangen før'
        else 'året før'
    end
{%- endmacro %}
