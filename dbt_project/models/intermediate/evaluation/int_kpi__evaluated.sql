{#-
    The status of every evaluation row and the Danish sentence that explains it. Periods are named as
    the grain names them (period_da: '2018', 'skoleåret 2018/19', '4. kvartal 2017', 'årgang 2018').
    Each rule kind's expected value, status and target sentence are in its own file, macros/rules/<kind>.sql
    (dispatched by macros/rules/evaluate.sql); this model adds what every kind shares.
-#}
with

grid as (

    select * from {{ ref('int_kpi__evaluation_grid') }}

),

with_expected as (

    select
        grid.*,
        {{ expected_value('grid') }} as expected_value
    from grid

),

evaluated as (

    select
        with_expected.*,
        {{ kpi_status('with_expected') }} as status
    from with_expected

),

explained as (

    select
        evaluated.*,
        case when aggregation = 'running_mean' then 'gennemsnit ' else '' end
        || {{ number_da('value') }} || {{ unit_suffix_da('unit') }}
        || case when aggregation = 'running_mean' then ' pr. år til og med ' else ' i ' end
        || coalesce(period_da, period) as value_text,
        {{ op_da("coalesce(op, '>=')") }} || ' ' || {{ number_da('threshold') }} || {{ unit_suffix_da('unit') }}
        || case when threshold_area is not null then ' (' || {{ area_da('threshold_area') }} || ' samme år)' else '' end
        || case when due_period is not null and not in_then_phase then ' i ' || due_period else '' end
            as target_text,
        case baseline_source
            when 'delivered' then ' (leveret baseline' || coalesce(', besluttet af ' || baseline_decided_by, '') || ')'
            when 'measured' then ' (målt)'
            when 'catalog' then ' (kataloget)'
            else ''
        end as baseline_source_text
    from evaluated

),

final as (

    select
        explained.*,
        case status
            when 'not_due'
                then
                    case when period_end > as_of then 'Perioden ' || period || ' er ikke afsluttet endnu.'
                        else 'Tallet for ' || period || ' ventes først offentliggjort efter '
                            || strftime(published_from, '%d-%m-%Y') || '.'
                    end
            when 'needs_reading'
                then
                    case when kind = 'qualitative' then 'Vurderingen' else 'Tallet' end
                    || ' for ' || {{ area_da('area_key') }} || ' i ' || coalesce(period_da, period)
                    || ' leveres ikke og kan ikke udledes: ' || needs_reading_da
            when 'missing_data'
                then
                    case when kind = 'qualitative' then 'Ingen vurdering leveret for ' || period || '.'
                        else 'Ingen værdi leveret for ' || period || '.'
                    end
            when 'stale'
                then 'Ingen værdi for ' || period || '; kildens nyeste tal dækker til '
                    || strftime(source_newest_end, '%d-%m-%Y') || ', ældre end leveringsfrekvensen tillader.'
            when 'suppressed' then 'Værdien for ' || period || ' er diskretioneret i leverancen (for få personer).'
            when 'qualitative' then assessment
            when 'missing_baseline'
                then value_text || '; '
                    || case
                        when is_context and period_index = baseline_index
                            then case when
                                        coalesce(period_grain, 'year') = 'year'
                                        then 'året er baseline (udgangspunkt) for den årlige kæde'
                                    else 'perioden er baseline (udgangspunkt) for kæden'
                                end || ' og vurderes ikke selv'
                        when threshold is null and threshold_area is not null
                            then 'sammenligningstallet for ' || {{ area_da('threshold_area') }} || ' mangler'
                        when kind = 'yearly_pct_change_vs_previous_year' and previous_suppressed
                            then 'værdien ' || {{ previous_da('period_grain') }} || ' er diskretioneret'
                        when kind = 'yearly_pct_change_vs_previous_year'
                            then 'værdien '
                                || {{ previous_da('period_grain') }}
                                || ' ('
                                || previous_period
                                || ') mangler'
                        else 'baseline' || coalesce(' ' || baseline_period, '') || ' mangler'
                    end
                    || case
                        when is_context and period_index = baseline_index then '.' else ', så målet kan ikke vurderes.'
                    end
            else value_text || '; ' || {{ target_da('explained') }}
                || case status
                    when 'met' then ' – opfyldt.'
                    when 'not_met' then ' – ikke opfyldt.'
                    when 'on_track' then ' – på sporet.'
                    when 'off_track' then ' – bagud.'
                    else '.'
                end
                || case
                    when
                        status in ('met', 'not_met', 'on_track', 'off_track')
                        then coalesce(' ' || reading_da, '')
                    else ''
                end
        end
        || case when is_context and status not in ('not_due')
                then ' (Kontekst: første vurderede '
                    || case when coalesce(period_grain, 'year') = 'year' then 'år' else 'periode' end
                    || ' er ' || first_evaluated_period || '.)'
            else ''
        end
            as status_reason
    from explained

)

select * from final
