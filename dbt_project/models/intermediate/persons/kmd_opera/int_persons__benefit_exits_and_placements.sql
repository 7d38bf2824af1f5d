{#-
    Leaving benefits for a job or for education (selvforsørgelse) and starts of praktik or løntilskud,
    per area and calendar year (KMD Opera, section 8; codes from the person_measure_codes seed).
-#}
with

periods as (

    select * from {{ ref('int_kmd_opera__periods_in_force') }}

),

spells as (

    select * from {{ ref('int_benefit_spells__merged') }}

),

codes as (

    select * from {{ ref('person_measure_codes') }}
    where source_system = 'kmd_opera'

),

covered_years as (

    select * from {{ ref('int_kmd_opera__covered_years') }}

),

provenance as (

    select * from {{ ref('int_kmd_opera__newest_delivery') }}

),

areas as (

    select area_key from {{ ref('stg_catalog__areas') }}

),

self_support as (

    -- a spell that ended in the year with an exit reason that is selvforsørgelse (job or education)
    select
        'selvforsoergelse_personer' as indicator,
        spells.area_key,
        year(spells.spell_end) as year,
        spells.person_id,
        1 as events
    from spells
    inner join codes
        on codes.field = 'exit_reason'
            and codes.role = 'selvforsoergelse'
            and spells.exit_reason = codes.code

),

placements as (

    select
        periods.area_key,
        year(periods.start_date) as year,
        periods.start_date,
        periods.person_id
    from periods
    inner join codes
        on codes.field = 'code'
            and codes.role = 'praktik_loentilskud'
            and periods.code = codes.code
    where periods.post_type = 'TILBUD'

),

events as (

    select * from self_support
    union all
    select
        'praktik_loentilskud_starter' as indicator,
        area_key,
        year,
        person_id,
        1 as events
    from placements
    union all
    select
        'praktik_loentilskud_personer' as indicator,
        first(area_key order by start_date desc, area_key desc) as area_key,
        year,
        person_id,
        1 as events
    from placements
    group by year, person_id

),

spine as (

    select
        indicators.indicator,
        areas.area_key,
        covered_years.year
    from areas
    cross join covered_years
    cross join (
        values ('selvforsoergelse_personer'), ('praktik_loentilskud_starter'), ('praktik_loentilskud_personer')
    ) as indicators (indicator)

),

measures as (

    select
        spine.indicator,
        spine.area_key,
        spine.year::varchar as period,
        case
            when spine.indicator = 'praktik_loentilskud_starter' then coalesce(sum(events.events), 0)
            else count(distinct events.person_id)
        end::double as value,
        null::double as numerator,  -- noqa: CV11
        null::double as denominator,
        'count' as unit,
        false as suppressed
    from spine
    left join events
        on spine.indicator = events.indicator
            and spine.area_key = events.area_key
            and spine.year = events.year
    group by spine.indicator, spine.area_key, spine.year

),

with_combined as (

    {{ with_combined('measures') }}

),

final as (

    {{ person_observations('kmd_opera', 'with_combined', 'provenance', 'year') }}

)

select * from final
