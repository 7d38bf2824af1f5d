{#-
    KMD Opera periods (section 8) in force: the rows of valid files (staging), one per person × post type × code ×
    start date, the latest delivery's version winning; of a period a file holds twice, the open or later-ending
    version, then by exit reason, end_tie_rank and area. Every KMD Opera measure reads this model.
-#}
with

periods as (

    {{ latest_person_rows(ref('stg_kmd_opera__periods'), ['person_id', 'post_type', 'code', 'start_date'],
                          ['end_date desc nulls first', 'exit_reason asc nulls first', 'end_tie_rank asc',
                           'area_key asc']) }}

)

select * from periods
