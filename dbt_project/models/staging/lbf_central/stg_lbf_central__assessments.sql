{{ stage_assessments('lbf_central') }}
