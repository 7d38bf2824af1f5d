{{ stage_observations('dst_noegletal') }}
