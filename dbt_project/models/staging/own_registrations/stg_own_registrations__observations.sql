{{ stage_observations('own_registrations') }}
