"""Which dbt nodes a run must build: everything, or only what lies downstream of what changed.

Every intermediate and mart model is a table in the internal file, and each build starts from a copy of
it. When the last build is known (its inputs record still describes the warehouse files) and only
deliveries or the as-of date changed, the models downstream of the changed raw tables, of the ledger and,
for a new as-of date, of raw.run_parameters (which holds it) are rebuilt; every other table is the one
the last build wrote from the same inputs, and is kept. A new month of one source then does not
recompute the history of the others. Changed code, reference files, plan or key, an unknown raw table,
or no usable record mean a full build.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pipelines.load.inputs import InputsRecord
from pipelines.settings import DBT_PROJECT_DIR
from pipelines.yaml_text import load_yaml

FULL_BUILD_PARTS = ("code", "reference", "plan_id", "key")
LEDGER_SELECTOR = "source:ledger+"
AS_OF_SELECTOR = "source:run.run_parameters+"  # the as-of date is data (pipelines/load/schema.py), not a dbt var


@cache
def raw_table_sources(project_dir: Path = DBT_PROJECT_DIR) -> dict[str, str]:
    """Raw table name → the dbt source that declares it (models/staging/*/_*__sources.yml)."""
    declared: dict[str, str] = {}
    for path in sorted((project_dir / "models").rglob("_*__sources.yml")):
        for source in (load_yaml(path.read_text(encoding="utf-8")) or {}).get("sources", []):
            for table in source.get("tables", []):
                declared[table["name"]] = source["name"]
    return declared


def dbt_selection(record: InputsRecord | None, usable: bool, parts: dict[str, str],
                  changed_tables: set[str], ledger_changed: bool) -> list[str] | None:
    """dbt `--select` arguments for this build, or None for a full build."""
    if record is None or not usable or not record.parts:
        return None
    if any(record.parts.get(part) != parts.get(part) for part in FULL_BUILD_PARTS):
        return None
    sources = raw_table_sources()
    if not changed_tables <= set(sources):
        return None
    selectors = [f"source:{sources[table]}.{table}+" for table in sorted(changed_tables)]
    if ledger_changed or not selectors:
        selectors.append(LEDGER_SELECTOR)
    if record.parts.get("as_of") != parts.get("as_of"):
        selectors.append(AS_OF_SELECTOR)
    return selectors
