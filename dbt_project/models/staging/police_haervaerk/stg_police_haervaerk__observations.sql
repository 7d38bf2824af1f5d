{{ stage_observations('police_haervaerk') }}
