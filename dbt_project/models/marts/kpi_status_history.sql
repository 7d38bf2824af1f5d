{#-
    Published extension (contract v2): every version a kpi_status row has had, with the columns of
    kpi_status in their order plus valid_from and valid_to (NULL for the current version). Columns that
    kpi_status gains later are appended to the snapshot after its own columns, so `* exclude` keeps the
    kpi_status order; the publish step checks the column list against the contract. A qualitative reason
    from before free text was kept internal is cut to its verdict (macro published_reason).
-#}
with

snapshot as (

    select * from {{ ref('kpi_status_snapshot') }}

)

select
    * exclude (version_id, version_updated_at, valid_from, valid_to)
    replace ({{ published_reason('status', 'status_reason') }} as status_reason),
    valid_from,
    valid_to
from snapshot
