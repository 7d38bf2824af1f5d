{#- Every aggregate source's observations, from active files only, the latest delivery winning per cell. -#}
with

{% for source_system in var('observation_sources') %}
    {{ source_system }} as (

        select * from {{ ref('stg_' ~ source_system ~ '__observations') }}

    ),

{% endfor %}
ledger as (

    select * from {{ ref('stg_ledger__load_ledger') }}

),

unioned as (

    {% for source_system in var('observation_sources') %}
        select * from {{ source_system }}
        {% if not loop.last %}union all by name{% endif %}
    {% endfor %}

),

active as (

    select unioned.*
    from unioned
    inner join ledger
        on unioned.source_file = ledger.file_name
            and ledger.status = 'loaded'

),

latest as (

    select *
    from active
    qualify row_number() over (
            partition by source_system, indicator, area_key, period
            order by delivered_at desc, loaded_at desc
        ) = 1

)

select * from latest
