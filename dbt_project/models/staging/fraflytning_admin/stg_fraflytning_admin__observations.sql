{{ stage_observations('fraflytning_admin') }}
