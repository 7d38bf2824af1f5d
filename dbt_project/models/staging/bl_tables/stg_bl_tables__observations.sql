{{ stage_observations('bl_tables') }}
