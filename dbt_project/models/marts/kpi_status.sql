{#-
    Contract table: one row per criterion × area × evaluation period (a calendar year, quarter, school year or
    birth cohort, with its first and last day as the contract's key section asks). Small cells (rule 8) are hidden
    here (flags from int_kpi__disclosure): a hidden value becomes `suppressed`, and a target or baseline
    from which a hidden value could be read back (the chained target is previous × (1 ± pct)) is NULL.
-#}
with

disclosure as (

    select * from {{ ref('int_kpi__disclosure') }}

)

select
    criterion_id,
    canonical_id,
    area_key,
    period,
    case when value_hidden then null else value end as value,
    baseline_period,
    case when baseline_hidden then null else baseline_value end as baseline_value,
    case
        when kind = 'yearly_pct_change_vs_previous_year' and previous_hidden then null
        when baseline_hidden then null
        else expected_value
    end as target_value,
    case
        when value_hidden and status not in ('not_due', 'qualitative', 'needs_reading') then 'suppressed'
        else status
    end as status,
    case
        -- no figure to hide: no delivery gives it (the reason says which readings would)
        when status = 'needs_reading' then status_reason
        -- one reason whether the value is itself small or hides another: saying which would tell a reader
        -- that a hidden total is below 5 (rule 8, pipelines/privacy/disclosure.py)
        when value_hidden
            then 'Værdien for '
                || coalesce(period_da, period)
                || ' er diskretioneret: færre end 5 personer, eller et tal der ellers kunne regnes ud.'
        when (kind = 'yearly_pct_change_vs_previous_year' and previous_hidden) or baseline_hidden
            then {{ status_da('status') }} || ': sammenligningstallet er diskretioneret.'
        else status_reason
    end as status_reason,
    delivered_at as data_as_of,
    period_start,
    period_end
from disclosure
