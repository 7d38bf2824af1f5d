"""Which dbt nodes a run must build: everything, or only what lies downstream of what changed.

Every intermediate and mart model is a table in the internal file, and each build starts from a copy of
it. When the last build is known (its inputs record still describes the warehouse files) and only
deliveries or the as-of date changed, the models downstream of what this run wrote are rebuilt, and for a new
as-of date those downstream of raw.run_parameters (which holds it); every other table is the one the last build
wrote from the same inputs, and is kept. Changed code, reference files, plan or key, an unknown raw table, or no
usable record mean a full build.

What a run writes, per file it loaded, rejected or found a duplicate of, all of one source S: rows of S's raw
tables (loaded only), S's ledger rows (the file's own; loading also settles S's chain, `_settle_chain` in
pipelines/load/raw_layer.py, which marks S's older files superseded or loaded again) and, for a rejection, a row
of raw.delivery_gaps. The selection is `source:S+` for each such source (all of S's tables: a rejected file
writes none, but its source is rebuilt all the same), and what lies downstream of the models that read the
ledger as a whole (models/staging/ledger: the ledger and data_gaps marts, and through stg_ledger__load_ledger the
aggregate sources' rows in force, baselines, verdicts and all that is evaluated from them).

Not selected: the other sources' staging models that read the ledger source directly (rows_of_valid_files,
macros/rows_in_force.sql) and what lies downstream of them. Their rows in force of a source T depend only on T's
ledger rows: a row of raw.T counts when the ledger row of its own file (`source_file = file_name`) is `loaded`,
and is dropped when a newer loaded file of the same source and file type covers its dates
(`newer.source_system = ledger.source_system`). No run rewrites a ledger row of T unless it touched T: the
ledger row of a file name is rewritten only when its status is `rejected` (discover: any other known name is
`seen`), and raw.T holds rows of a file name only once it was loaded into T, after which its row is `loaded` or
`superseded` for good; the chain is settled within one source. So a file of S, even one named like a rejected file
of T, changes no row in force of T. tests/test_dbt_graph.py holds the graph to this shape (every reader of the
ledger source is a ledger model or one source's staging model through rows_of_valid_files), and
tests/test_incremental_nightly.py compares a narrowed build with a full one. A run that touched a source dbt does
not declare (a rejected file in an unknown folder) falls back to everything downstream of the ledger. A run
that wrote nothing (a new as-of date only) selects only what reads the date.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pipelines.load.inputs import InputsRecord
from pipelines.settings import DBT_PROJECT_DIR
from pipelines.yaml_text import load_yaml

FULL_BUILD_PARTS = ("code", "reference", "plan_id", "key")
LEDGER_SELECTOR = "source:ledger+"  # every reader of the ledger, each source's staging models included
LEDGER_MODELS = "models/staging/ledger"  # the models that read the ledger as a whole
LEDGER_MODELS_SELECTOR = f"path:{LEDGER_MODELS}+"
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
                  changed_tables: set[str], touched_sources: set[str]) -> list[str] | None:
    """dbt `--select` arguments for this build, or None for a full build.

    `changed_tables`: the raw tables this run loaded rows into; `touched_sources`: the source systems of the files
    it loaded, rejected or found duplicates of (each wrote a ledger row).
    """
    if record is None or not usable or not record.parts:
        return None
    if any(record.parts.get(part) != parts.get(part) for part in FULL_BUILD_PARTS):
        return None
    sources = raw_table_sources()
    if not changed_tables <= set(sources):
        return None
    touched = touched_sources | {sources[table] for table in changed_tables}
    selectors = [f"source:{source}+" for source in sorted(touched & set(sources.values()))]
    if touched - set(sources.values()):
        selectors.append(LEDGER_SELECTOR)
    elif touched:
        selectors.append(LEDGER_MODELS_SELECTOR)
    if record.parts.get("as_of") != parts.get("as_of"):
        selectors.append(AS_OF_SELECTOR)
    return selectors or [LEDGER_MODELS_SELECTOR]  # the inbox changed, nothing written (a file removed): small
