{#-
    A person's YDELSE periods merged into spells: periods that overlap or are adjacent (the next one starts the
    day after the previous ends, or earlier) form one spell. Gaps-and-islands: a period starts a new spell when
    it starts more than one day after the latest end of the person's earlier periods. An open period (no end
    date) keeps its spell open.
-#}
with

periods as (

    {{ latest_person_rows(ref('stg_kmd_opera__periods'), ['person_id', 'post_type', 'code', 'start_date']) }}

),

benefit_periods as (

    select
        person_id,
        birth_year,
        area_key,
        start_date,
        end_date,
        exit_reason,
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

spells as (

    select
        person_id,
        spell_number,
        any_value(birth_year) as birth_year,
        min(start_date) as spell_start,
        max(end_or_open) as spell_end_or_open,
        -- the area and exit reason of the period that ends the spell
        arg_max(area_key, end_or_open) as area_key,
        arg_max(exit_reason, end_or_open) as exit_reason,
        count(*) as periods_merged,
        max(delivered_at) as delivered_at
    from numbered
    group by person_id, spell_number

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
