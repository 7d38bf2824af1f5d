"""The DuckDB files: the private build state and the published warehouse."""
