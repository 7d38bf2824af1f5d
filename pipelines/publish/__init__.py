"""Publishing: the published DuckDB file and every other target, each audited against the contract."""
