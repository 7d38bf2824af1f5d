{#- The newest valid file of novax (macro newest_delivery): the provenance of every novax measure. -#}
with

newest_delivery as (

    {{ newest_delivery(ref('stg_novax__visits')) }}

)

select * from newest_delivery
