{{ stage_observations('local_substance_survey') }}
