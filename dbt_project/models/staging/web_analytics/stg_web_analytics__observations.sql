{{ stage_observations('web_analytics') }}
