{{ stage_observations('brand_redning') }}
