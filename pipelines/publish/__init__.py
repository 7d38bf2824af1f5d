"""Publishing the warehouse beyond the DuckDB file: one module per target, each audited like the DuckDB publish."""
