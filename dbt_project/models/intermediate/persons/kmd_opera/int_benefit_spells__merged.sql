{#-
    A person's YDELSE periods merged into spells (source_formats.md section 8, version 3): taken by start date, a
    period joins the spell when it starts no later than the day after the latest end so far; otherwise it starts
    a new spell (gaps-and-islands). An open period (no end date) keeps its spell open.
    A spell ends with the period that ends on its last day. Where several do, the spell ends in selvforsørgelse
    if any of them does, and takes the exit reason and area of the first of those (all of them when none is
    selvforsørgelse) in the order (Afgangsårsag, Vejnavn, Husnr, Postnr): `end_tie_rank`, ranked by the parser,
    which keeps no address. Nothing here depends on the order of rows in a file.
-#}
with

periods as (

    select * from {{ ref('int_kmd_opera__periods_in_force') }}

),

benefit_periods as (

    select
        person_id,
        birth_year,
        area_key,
        start_date,
        end_date,
        exit_reason,
        end_tie_rank,
        delivered_at,
        coalesce(end_date, date '9999-12-31') as end_or_open
    from periods
    where post_type = 'YDELSE'

),

with_previous_end as (

    select
        *,
        max(end_or_open) over (
            partition by person_id
            order by start_date, end_or_open
            rows between unbounded preceding and 1 preceding
        ) as previous_latest_end
    from benefit_periods

),

numbered as (

    select
        *,
        sum(case when previous_latest_end is null or start_date - 1 > previous_latest_end then 1 else 0 end)
            over (partition by person_id order by start_date, end_or_open rows unbounded preceding)
            as spell_number
    from with_previous_end

),

spans as (

    select
        person_id,
        spell_number,
        min(birth_year) as birth_year,  -- one per person: the pseudonym's CPR gives it
        min(start_date) as spell_start,
        max(end_or_open) as spell_end_or_open,
        count(*) as periods_merged,
        max(delivered_at) as delivered_at
    from numbered
    group by person_id, spell_number

),

self_support_reasons as (

    select code as exit_reason from {{ ref('person_measure_codes') }}
    where source_system = 'kmd_opera' and field = 'exit_reason' and role = 'selvforsoergelse'

),

ending_periods as (

    -- the period the spell ends with; rank ties across files (a correction) fall back to area and delivery
    select
        numbered.person_id,
        numbered.spell_number,
        numbered.area_key,
        numbered.exit_reason
    from numbered
    inner join spans
        on numbered.person_id = spans.person_id
            and numbered.spell_number = spans.spell_number
            and numbered.end_or_open = spans.spell_end_or_open
    left join self_support_reasons
        on numbered.exit_reason = self_support_reasons.exit_reason
    qualify row_number() over (
            partition by numbered.person_id, numbered.spell_number
            order by
                self_support_reasons.exit_reason is null asc,
                coalesce(numbered.exit_reason, '') asc,
                numbered.end_tie_rank asc nulls last,
                numbered.area_key asc,
                numbered.delivered_at desc
        ) = 1

),

spells as (

    select
        spans.*,
        ending_periods.area_key,
        ending_periods.exit_reason
    from spans
    inner join ending_periods
        on spans.person_id = ending_periods.person_id
            and spans.spell_number = ending_periods.spell_number

),

final as (

    select
        person_id,
        spell_number,
        birth_year,
        area_key,
        spell_start,
        case when spell_end_or_open < date '9999-12-31' then spell_end_or_open end as spell_end,
        exit_reason,
        periods_merged,
        delivered_at
    from spells

)

select * from final
