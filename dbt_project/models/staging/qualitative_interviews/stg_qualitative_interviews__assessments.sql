{{ stage_assessments('qualitative_interviews') }}
