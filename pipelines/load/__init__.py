"""Load: the internal DuckDB build file and its raw layer (the ledger and the raw tables dbt reads)."""
