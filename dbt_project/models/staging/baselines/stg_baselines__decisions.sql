with

source as (

    select * from {{ source('baselines', 'baselines') }}

),

renamed as (

    select
        cast(source_file as varchar) as source_file,
        cast(delivered_at as date) as delivered_at,
        cast(source_row as integer) as source_row,
        cast(indicator as varchar) as criterion_id,
        cast(area_key as varchar) as area_key,
        cast(period as varchar) as period,
        cast(value as double) as baseline_value,
        cast(label as varchar) as decided_by

    from source

)

select * from renamed
