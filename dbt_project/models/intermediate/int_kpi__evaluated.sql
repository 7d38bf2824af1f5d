{#- The status of every evaluation row and the Danish sentence that explains it. -#}
with

grid as (

    select * from {{ ref('int_kpi__evaluation_grid') }}

),

with_expected as (

    select
        grid.*,
        {{ expected_value('grid') }} as expected_value,
    from grid

),

evaluated as (

    select
        with_expected.*,
        {{ kpi_status('with_expected') }} as status,
    from with_expected

),

explained as (

    select
        evaluated.*,
        {{ number_da('value') }} || {{ unit_suffix_da('unit') }} || ' i ' || period as value_text,
        {{ op_da('op') }} || ' ' || {{ number_da('threshold') }} || {{ unit_suffix_da('unit') }}
            || coalesce(' i ' || due_period, '') as target_text,
    from evaluated

),

final as (

    select
        explained.*,
        case status
            when 'not_due' then 'Perioden ' || period || ' er ikke afsluttet endnu.'
            when 'missing_data' then 'Ingen værdi leveret for ' || period || '.'
            when 'suppressed' then 'Værdien for ' || period || ' er diskretioneret (for få personer).'
            when 'qualitative' then assessment
            when 'missing_baseline' then value_text || '; baseline'
                || case when kind = 'yearly_pct_change_vs_previous_year' then ' (året før)' else '' end
                || ' mangler, så målet kan ikke vurderes.'
            else value_text || '; ' ||
                case
                    when kind = 'yearly_pct_change_vs_previous_year' then
                        'mål: ' || case when coalesce(pct, 0) < 0 then 'fald' else 'stigning' end
                        || coalesce(' på mindst ' || {{ number_da('abs(pct)') }} || ' %', '')
                        || ' fra ' || {{ number_da('previous_value') }} || ' året før'
                    when kind = 'change_vs_baseline' then
                        'mål: ' || case when op like '<%' then 'lavere' else 'højere' end || ' end baseline '
                        || {{ number_da('baseline_value') }} || coalesce(' (' || baseline_period || ')', '')
                    when status in ('on_track', 'off_track') and baseline_value is not null then
                        'mål: ' || target_text || '; ret linje fra ' || {{ number_da('baseline_value') }}
                        || ' giver ' || {{ op_da(non_strict('op')) }} || ' ' || {{ number_da('expected_value', 2) }}
                    else 'mål: ' || target_text
                end
                || case status
                    when 'met' then ' – opfyldt.'
                    when 'not_met' then ' – ikke opfyldt.'
                    when 'on_track' then ' – på sporet.'
                    when 'off_track' then ' – bagud.'
                    else '.'
                end
                || case when status in ('met', 'not_met') then coalesce(' ' || reading_da, '') else '' end
        end as status_reason,
    from explained

)

select * from final
