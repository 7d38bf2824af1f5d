{{ stage_observations('partnership_followup') }}
