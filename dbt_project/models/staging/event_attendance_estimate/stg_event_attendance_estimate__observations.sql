{{ stage_observations('event_attendance_estimate') }}
