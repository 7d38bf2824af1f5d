{{ stage_assessments('samarbejdsudvalg_evaluation') }}
