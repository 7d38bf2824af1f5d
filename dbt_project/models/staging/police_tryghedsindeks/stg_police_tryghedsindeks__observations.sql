{{ stage_observations('police_tryghedsindeks') }}
