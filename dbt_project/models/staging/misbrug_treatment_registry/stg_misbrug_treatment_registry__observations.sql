{{ stage_observations('misbrug_treatment_registry') }}
