{#-
    The as-of dates for which this build's tables hold: every comparison of the as-of date with a date, written
    as "as_of >= flip date", and the window between the last flip date on or before the build's as-of date
    (valid_from) and the first after it (valid_until, exclusive). A later run whose only new input is an as-of
    date inside [valid_from, valid_until) would build the same tables (pipelines/load/inputs.py). The flips:

    * is_published: as_of >= published_from;
    * not ended yet (status not_due, its reason): period_end > as_of, i.e. it flips when as_of >= period_end;
    * is_stale (only where the period lies after the source's newest one): as_of > stale_after;
    * data_gaps lists a missing delivery once as_of > calendar_due_date.
    Null valid_from / valid_until: no flip on that side.
-#}
with

grid as (

    select * from {{ ref('int_kpi__evaluation_grid') }}

),

gaps as (

    select * from {{ ref('int_gaps__listed') }}

),

run_parameters as (

    select as_of from {{ source('run', 'run_parameters') }}

),

flips as (

    select published_from as flip_date from grid
    union all
    select period_end as flip_date from grid
    union all
    select cast(stale_after + interval 1 day as date) as flip_date
    from grid
    where source_newest_end is not null and period_end > source_newest_end
    union all
    select cast(calendar_due_date + interval 1 day as date) as flip_date
    from gaps
    where gap_type = 'missing_delivery'

)

select
    run_parameters.as_of,
    max(flips.flip_date) filter (where flips.flip_date <= run_parameters.as_of) as valid_from,
    min(flips.flip_date) filter (where flips.flip_date > run_parameters.as_of) as valid_until
from run_parameters
left join flips
    on flips.flip_date is not null
group by run_parameters.as_of
