{{ stage_observations('vive_lbf_survey') }}
