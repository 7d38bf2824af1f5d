"""The published tables and their columns (warehouse_contract.md and its extensions), declared once.

The data every stage may read: loading writes the catalog's `criteria` columns, the run log writes
`load_runs`, publishing checks and copies them, operations checks the files. The dbt marts' model contracts
state the same columns with their types (tests hold the two equal).
"""

from __future__ import annotations

CONTRACT_TABLES: dict[str, list[str]] = {
    "criteria": ["criterion_id", "canonical_id", "plan_period", "level", "criterion_type", "indsatsomraade",
                 "activity", "text_da", "summary_en", "unit", "direction", "target_kind", "source_system",
                 "frequency", "granularity", "catalog_version"],
    "areas": ["area_key", "name_da", "town", "plan_periods"],
    "measurements": ["source_system", "indicator", "area_key", "period", "period_start", "period_end", "value",
                     "numerator", "denominator", "unit", "suppressed", "source_file", "delivered_at", "loaded_at"],
    "kpi_status": ["criterion_id", "canonical_id", "area_key", "period", "value", "baseline_period",
                   "baseline_value", "target_value", "status", "status_reason", "data_as_of", "period_start",
                   "period_end"],
    "data_gaps": ["source_system", "criterion_id", "area_key", "period", "gap_type", "detail", "supplier",
                  "due_date"],
    "load_ledger": ["source_system", "file_name", "sha256", "rows_loaded", "status", "error", "delivered_at",
                    "loaded_at"],
}

# Published beside the contract tables (an extension: evaluators may rely on it, the contract does not list it).
EXTENSION_TABLES: dict[str, list[str]] = {
    "kpi_baselines": ["criterion_id", "area_key", "baseline_period", "baseline_value", "baseline_source"],
    "load_runs": ["run_id", "started_at", "finished_at", "outcome", "files_loaded", "files_rejected",
                  "files_duplicate", "message"],
    "kpi_status_history": [*CONTRACT_TABLES["kpi_status"], "valid_from", "valid_to"],
    # shares, rates and means published without the counts rule 8 needs (docs/privacy.d)
    "unchecked_shares": ["criterion_id", "source_system", "indicator", "unit", "values_without_base"],
}
PUBLISHED_TABLES: dict[str, list[str]] = {**CONTRACT_TABLES, **EXTENSION_TABLES}
