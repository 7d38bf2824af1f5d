{#- The newest valid file of kmd_opera (macro newest_delivery): the provenance of every kmd_opera measure. -#}
with

newest_delivery as (

    {{ newest_delivery(ref('stg_kmd_opera__periods')) }}

)

select * from newest_delivery
