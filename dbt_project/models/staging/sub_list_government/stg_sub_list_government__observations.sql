{{ stage_observations('sub_list_government') }}
