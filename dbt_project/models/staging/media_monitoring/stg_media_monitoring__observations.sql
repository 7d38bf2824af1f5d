{{ stage_observations('media_monitoring') }}
