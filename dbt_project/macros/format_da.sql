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

{#- Danish name of an area key (comparators and aggregates included). -#}
{% macro area_da(area_key) -%}
    case {{ area_key }}
        when 'motalavej' then 'Motalavej'
        when 'ringparken' then 'Ringparken/Schackenborgvænge'
        when 'sydbyen' then 'Sydbyen'
        when 'skaelskoer' then 'Skælskør'
        when 'combined' then 'de fire områder samlet'
        when 'combined_mean' then 'gennemsnittet af områderne'
        when 'sub_average' then 'gennemsnittet for særligt udsatte boligområder'
        when 'denmark' then 'hele landet'
        when 'slagelse_kommune' then 'Slagelse Kommune'
        else {{ area_key }}
    end
{%- endmacro %}

{#- The status in Danish words (as in the board report). -#}
{% macro status_da(status) -%}
    case {{ status }}
        when 'met' then 'Opfyldt'
        when 'not_met' then 'Ikke opfyldt'
        when 'on_track' then 'På sporet'
        when 'off_track' then 'Bagud'
        when 'missing_data' then 'Mangler data'
        when 'missing_baseline' then 'Mangler baseline'
        when 'suppressed' then 'Diskretioneret'
        when 'stale' then 'Forældet'
        when 'not_due' then 'Ikke forfalden'
        when 'qualitative' then 'Kvalitativ vurdering'
        when 'needs_reading' then 'Kræver læsning'
    end
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
