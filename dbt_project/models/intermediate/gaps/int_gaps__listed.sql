{#- Every gap data_gaps may list, with who can close it and by when, before the deadline filter: a missing delivery
    is listed in data_gaps only once calendar_due_date has passed, and int_run__as_of_window reads the same column.
    Every gap names who can close it (contract v3): a missing value is owed by the source that owes it
    (gap_source_system: for a qualitative criterion the source of its verdicts, not the source of the underlying
    data) and its supplier in the delivery calendar; a figure no delivery can give (`needs_reading`) is the board's,
    with no deadline. -#}
with

published_status as (

    -- after small-cell suppression, so a gap's detail never shows a hidden value
    select * from {{ ref('kpi_status') }}

),

disclosure as (

    select
        criterion_id,
        area_key,
        period,
        gap_source_system as source_system,
        is_context,
        period_end,
        as_of
    from {{ ref('int_kpi__disclosure') }}

),

calendar as (

    select * from {{ ref('stg_catalog__delivery_calendar') }}

),

ledger as (

    select * from {{ ref('stg_ledger__load_ledger') }}

),

delivery_gaps as (

    select * from {{ ref('stg_ledger__delivery_gaps') }}

),

evaluation_gaps as (

    select
        disclosure.source_system,
        published_status.criterion_id,
        published_status.area_key,
        published_status.period,
        case published_status.status
            when 'missing_data' then 'missing_delivery'
            when 'missing_baseline' then 'missing_baseline'
            when 'suppressed' then 'suppressed'
            when 'stale' then 'stale'
            when 'needs_reading' then 'needs_reading'
        end as gap_type,
        published_status.status_reason as detail,
        disclosure.period_end,
        disclosure.as_of
    from published_status
    inner join disclosure
        on published_status.criterion_id = disclosure.criterion_id
            and published_status.area_key = disclosure.area_key
            and published_status.period = disclosure.period
    where published_status.status in ('missing_data', 'missing_baseline', 'suppressed', 'stale', 'needs_reading')
        -- context rows before the first evaluated period (e.g. the chain's own baseline year) are not gaps
        and not (disclosure.is_context and published_status.status = 'missing_baseline')

),

ingestion_gaps as (

    select
        delivery_gaps.source_system,
        cast(null as varchar) as criterion_id,
        cast(null as varchar) as area_key,
        ledger.period_token as period,
        delivery_gaps.gap_type,
        delivery_gaps.detail,
        ledger.period_end
    from delivery_gaps
    inner join ledger
        on delivery_gaps.file_name = ledger.file_name
            and ledger.status = 'rejected'
    qualify row_number() over (partition by delivery_gaps.file_name order by delivery_gaps.recorded_at desc) = 1

),

all_gaps as (

    select
        source_system,
        criterion_id,
        area_key,
        period,
        gap_type,
        detail,
        period_end,
        as_of
    from evaluation_gaps
    union all
    select
        source_system,
        criterion_id,
        area_key,
        case
            when regexp_full_match(period, '\d{4}-\d{4}') then left(period, 4)
            when regexp_full_match(period, '\d{4}-\d{2}') then left(period, 4) || '/' || right(period, 2)
            else period
        end as period,
        gap_type,
        detail,
        period_end,
        (select as_of from {{ source('run', 'run_parameters') }}) as as_of
    from ingestion_gaps

),

with_deadlines as (

    select
        all_gaps.*,
        calendar.supplier as calendar_supplier,
        {{ due_date('all_gaps.period_end', 'calendar.deadline_months', 'calendar.deadline_days') }} as calendar_due_date
    from all_gaps
    left join calendar
        on all_gaps.source_system = calendar.source_system

)

select
    source_system,
    criterion_id,
    area_key,
    period,
    gap_type,
    detail,
    -- a suppressed cell is not a delivery anyone owes (contract: both null where no delivery is expected);
    -- a figure no delivery can give waits for a reading by the programme's board, which has no deadline
    case gap_type
        when 'suppressed' then null
        when 'needs_reading' then '{{ var("board_supplier") }}'
        else calendar_supplier
    end as supplier,
    case when gap_type not in ('suppressed', 'needs_reading') then calendar_due_date end as due_date,
    calendar_due_date,
    as_of
from with_deadlines
