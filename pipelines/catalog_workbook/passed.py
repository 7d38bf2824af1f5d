"""The nightly's catalog check, remembered: a catalog that passed is not checked again until something the check
reads has changed.

The check (`kpi catalog check` on the run's criteria and readings) reads the catalog, the project's own catalog
and readings (the vocabulary) and the parsers' declarations (code), and imports polars, openpyxl and every
parser to do so, on every run, also one with nothing new. Its verdict depends on those inputs only, so a pass
is recorded under their hash beside the published warehouse (`<stem>.catalog_check.json`). A catalog with errors
is never recorded: it is checked, and refused with the same message, on every run.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from pipelines.load.inputs import code_version
from pipelines.reference.resolution import CRITERIA_FILE, PROJECT_REFERENCE_DIR, READINGS_FILE

RECORD_VERSION = 1
# What `project_vocabulary` reads besides the code: the project's own catalog and readings.
PROJECT_REFERENCE_FILES = (PROJECT_REFERENCE_DIR / CRITERIA_FILE, PROJECT_REFERENCE_DIR / READINGS_FILE)


def record_path(published: Path) -> Path:
    return published.with_name(published.stem + ".catalog_check.json")


def check_inputs_hash(reference_files: dict[str, Path]) -> str:
    """One hash over everything the check's verdict depends on (a missing file counts as missing)."""
    digest = hashlib.sha256(f"v{RECORD_VERSION}\0{code_version()}\0".encode())
    checked = [reference_files.get(CRITERIA_FILE), reference_files.get(READINGS_FILE), *PROJECT_REFERENCE_FILES]
    for path in checked:
        content = path.read_bytes() if path is not None and path.is_file() else b"<missing>"
        digest.update(hashlib.sha256(content).digest())
    return digest.hexdigest()


def _passed_before(record: Path, inputs_hash: str) -> bool:
    try:
        return json.loads(record.read_text(encoding="utf-8")).get("passed") == inputs_hash
    except (OSError, ValueError, AttributeError):
        return False


def _remember_pass(record: Path, inputs_hash: str) -> None:
    staged = record.with_name(f".{record.name}.new")
    try:
        staged.write_text(json.dumps({"passed": inputs_hash}), encoding="utf-8")
        os.replace(staged, record)
    except OSError:  # only a cache: the next run checks again
        staged.unlink(missing_ok=True)


def refuse_a_broken_catalog_once(reference_files: dict[str, Path], published: Path) -> None:
    """`refuse_a_broken_catalog`, skipped when the same inputs passed before (ReferenceProblem as it raises)."""
    record = record_path(published)
    inputs_hash = check_inputs_hash(reference_files)
    if _passed_before(record, inputs_hash):
        return
    from pipelines.catalog_workbook.files import refuse_a_broken_catalog  # polars, openpyxl, the parsers

    refuse_a_broken_catalog(reference_files)
    _remember_pass(record, inputs_hash)
