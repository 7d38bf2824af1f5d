"""dbt: one invocation per run, on the build file."""
