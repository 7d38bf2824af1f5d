{#-
    Shared steps of the person-level measures (models/intermediate/persons/<source>/).
-#}

{#- The newest valid file of a source: the provenance (source_file, delivered_at, loaded_at) of its measures. -#}
{% macro newest_delivery(relation) -%}
    select
        first(source_file order by delivered_at desc, source_file desc) as source_file,
        max(delivered_at) as delivered_at,
        max(loaded_at) as loaded_at
    from {{ relation }}
{%- endmacro %}

{#-
    A measures CTE (indicator, area_key, period, value, numerator, denominator, unit, suppressed) in the shared
    observation shape of int_measurements__unioned: the period's dates come from stg_catalog__periods for the
    grain, provenance from newest_delivery. `suppressed` marks a cell that names fewer than 5 persons although
    its numerator and denominator are not counts of persons (days, scores); primary suppression hides it.
-#}
{% macro person_observations(source_system, measures, provenance, grain) -%}
    select
        '{{ source_system }}' as source_system,
        {{ provenance }}.source_file,
        null::varchar as source_sha256,
        {{ provenance }}.delivered_at,
        {{ provenance }}.loaded_at,
        null::integer as source_row,
        {{ measures }}.indicator,
        {{ measures }}.area_key,
        periods.period,
        periods.period_start,
        periods.period_end,
        round({{ measures }}.value, 9)::double as value,
        round({{ measures }}.numerator, 9)::double as numerator,
        round({{ measures }}.denominator, 9)::double as denominator,
        {{ measures }}.unit,
        coalesce({{ measures }}.suppressed, false) as suppressed,
        null::varchar as source_label
    from {{ measures }}
    inner join {{ ref('stg_catalog__periods') }} as periods
        on periods.period_grain = '{{ grain }}'
            and {{ measures }}.period = periods.period
    cross join {{ provenance }}
{%- endmacro %}

{#- A share in percent, null when nothing is counted (an empty cohort is no observation). -#}
{% macro percent_of(numerator, denominator) -%}
    {{ numerator }} * 100.0 / nullif({{ denominator }}, 0)
{%- endmacro %}

{#- Between 1 and 4 persons: a cell whose value is not itself a count of persons is hidden (contract rule 8). -#}
{% macro names_few_persons(persons) -%}
    coalesce({{ persons }} between 1 and 4, false)
{%- endmacro %}

{#-
    The calendar years the valid files of a person-level source cover, read from their names
    (`<system>_<YYYY>_…` or `<system>_<YYYY-YYYY>_…`): a year outside them would count only the periods that
    happen to reach into an extract, so it is not measured.
-#}
{% macro covered_years(relation) -%}
    select distinct years.covered_year as year
    from (
        select
            cast(regexp_extract(source_file, '_(\d{4})(-\d{4})?_\d{8}\.', 1) as integer) as first_year,
            cast(coalesce(nullif(regexp_extract(source_file, '_\d{4}-(\d{4})_\d{8}\.', 1), ''),
                          regexp_extract(source_file, '_(\d{4})(-\d{4})?_\d{8}\.', 1)) as integer) as last_year
        from (select distinct source_file from {{ relation }})
        where regexp_matches(source_file, '_\d{4}(-\d{4})?_\d{8}\.')
    ) as files,
        generate_series(files.first_year, files.last_year) as years (covered_year)
{%- endmacro %}

{#-
    The areas the criteria of a source cover (criteria.yaml `areas`): Novax's cohorts are the children with an
    address in the areas its criteria name (source_formats.md section 10), so children elsewhere are not counted.
-#}
{% macro areas_of_source_criteria(source_system) -%}
    select distinct criterion_areas.area_key
    from {{ ref('stg_catalog__criterion_areas') }} as criterion_areas
    inner join {{ ref('stg_catalog__criteria') }} as criteria
        on criterion_areas.criterion_id = criteria.criterion_id
    where criteria.source_system = '{{ source_system }}'
{%- endmacro %}

{#-
    A measures CTE with its `combined` rows added: the programme's areas together, as the criteria judge them.
    Each person counts in one area per period, so counts add up; shares and means pool Σ numerator / Σ
    denominator. An area without anyone to count (no ended spell, an empty cohort) has no row and adds nothing,
    so `combined` does not go missing with it. A combined cell is marked suppressed only when every area cell
    is (then fewer than 5 persons may be behind it; one area with 5 or more makes the total 5 or more).
-#}
{% macro with_combined(measures) -%}
    select * from {{ measures }}
    union all by name
    select
        indicator,
        'combined' as area_key,
        period,
        -- exact decimal sums: a re-run must give the same bits whatever the order of the rows
        case
            when unit = 'count' then sum(value::decimal(38, 12))
            else sum(numerator::decimal(38, 12)) * case unit when 'percent' then 100 else 1 end
                / nullif(sum(denominator::decimal(38, 12)), 0)
        end as value,
        case when unit <> 'count' then sum(numerator::decimal(38, 12)) end as numerator,
        case when unit <> 'count' then sum(denominator::decimal(38, 12)) end as denominator,
        unit,
        bool_and(suppressed) as suppressed
    from {{ measures }}
    group by indicator, period, unit
{%- endmacro %}
