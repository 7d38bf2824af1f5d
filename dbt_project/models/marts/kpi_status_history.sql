{#-
    Published extension (contract v2): every version a kpi_status row has had, with the columns of
    kpi_status in their order plus valid_from and valid_to (NULL for the current version). Columns that
    kpi_status gains later are appended to the snapshot after its own columns, so `* exclude` keeps the
    kpi_status order; the publish step checks the column list against the contract.

    A figure hidden now is hidden in every version (rule 8 across versions, docs/privacy.d/50-versions-and-metadata.md):
    after a correction, a cell chosen as complementary today was published yesterday, and today's total minus the
    other cells minus yesterday's value would give back the small one. So, using today's flags:
    * value hidden now: every version shows the value as today (NULL) with today's status and reason;
    * baseline hidden now (or the figure at the version's own baseline period): baseline_value and target_value
      NULL, the reason says the comparison figure is hidden;
    * chained target whose previous period is hidden now: target_value NULL, the same reason;
    * an earlier version (valid_to set) of a figure that adds up a cell hidden now (an area's year over a hidden
      quarter; `combined` over any hidden cell of its indicator and period): value NULL, status suppressed.
      Yesterday's total minus today's published cells would otherwise give a hidden cell back when the reader
      knows which file was corrected (the ledger says so): tests/test_disclosure_versions_property.py.
    The snapshot (internal) keeps the true versions; a figure published again later shows its history again.
    A qualitative reason from before free text was kept internal is cut to its verdict (macro
    published_reason).
-#}
with

snapshot as (

    select * from {{ ref('kpi_status_snapshot') }}

),

current_rows as (

    select * from {{ ref('kpi_status') }}

),

disclosure as (

    select * from {{ ref('int_kpi__disclosure') }}

),

measurement_flags as (

    select * from {{ ref('int_measurements__disclosure') }}

),

figures_with_a_hidden_part as (

    -- an area's figure over that area's hidden cells of the period; a pooled figure over any hidden cell
    select distinct
        disclosure.criterion_id,
        disclosure.area_key,
        disclosure.period
    from disclosure
    inner join measurement_flags
        on disclosure.source_system = measurement_flags.source_system
            and disclosure.indicator = measurement_flags.indicator
            and disclosure.period = measurement_flags.judged_period
            and (
                disclosure.area_key = measurement_flags.area_key
                or disclosure.area_key in ('combined', 'combined_mean')
            )
    where measurement_flags.hidden

),

hidden_now as (

    -- a value the source suppressed is hidden now too (NULL with status suppressed), with no flag of ours
    select
        current_rows.criterion_id,
        current_rows.area_key,
        current_rows.period,
        current_rows.status,
        current_rows.status_reason,
        coalesce(disclosure.value_hidden, false)
        or (current_rows.value is null and current_rows.status = 'suppressed') as value_hidden,
        coalesce(disclosure.baseline_hidden, false) as baseline_hidden,
        coalesce(disclosure.kind = 'yearly_pct_change_vs_previous_year' and disclosure.previous_hidden, false)
            as previous_hidden
    from current_rows
    left join disclosure
        on current_rows.criterion_id = disclosure.criterion_id
            and current_rows.area_key = disclosure.area_key
            and current_rows.period = disclosure.period

),

flagged as (

    select
        snapshot.*,
        coalesce(now.value_hidden, false) as value_hidden_now,
        coalesce(now.baseline_hidden, false) or coalesce(baseline_figure.value_hidden, false)
            as baseline_hidden_now,
        coalesce(now.previous_hidden, false) as previous_hidden_now,
        now.status as status_now,
        now.status_reason as status_reason_now,
        snapshot.valid_to is not null and hidden_part.criterion_id is not null as earlier_over_hidden_part
    from snapshot
    left join hidden_now as now
        on snapshot.criterion_id = now.criterion_id
            and snapshot.area_key = now.area_key
            and snapshot.period = now.period
    left join hidden_now as baseline_figure
        on snapshot.criterion_id = baseline_figure.criterion_id
            and snapshot.area_key = baseline_figure.area_key
            and snapshot.baseline_period = baseline_figure.period
    left join figures_with_a_hidden_part as hidden_part
        on snapshot.criterion_id = hidden_part.criterion_id
            and snapshot.area_key = hidden_part.area_key
            and snapshot.period = hidden_part.period

)

select
    * exclude (
        version_id, version_updated_at, valid_from, valid_to,
        value_hidden_now, baseline_hidden_now, previous_hidden_now, status_now, status_reason_now,
        earlier_over_hidden_part
    ) replace (
        case when value_hidden_now or earlier_over_hidden_part then null else value end as value,
        case when baseline_hidden_now then null else baseline_value end as baseline_value,
        case when baseline_hidden_now or previous_hidden_now then null else target_value end as target_value,
        case
            when value_hidden_now then status_now
            when earlier_over_hidden_part then 'suppressed'
            else status
        end as status,
        case
            when value_hidden_now then status_reason_now
            when earlier_over_hidden_part
                then 'Diskretioneret: en tidligere version af et tal, der bygger på et tal, som er skjult nu.'
            -- the words of kpi_status.sql for a row whose comparison figure is hidden
            when baseline_hidden_now or previous_hidden_now
                then {{ status_da('status') }} || ': sammenligningstallet er diskretioneret.'
            else {{ published_reason('status', 'status_reason') }}
        end as status_reason
    ),
    valid_from,
    valid_to
from flagged
