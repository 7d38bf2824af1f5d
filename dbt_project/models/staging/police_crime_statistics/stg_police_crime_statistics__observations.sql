{{ stage_observations('police_crime_statistics') }}
