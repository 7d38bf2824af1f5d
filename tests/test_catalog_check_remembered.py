"""The nightly's catalog check is remembered for a catalog that passed (pipelines/catalog_workbook/passed.py):
the same inputs are not checked again (no openpyxl or parser import on that path), a changed catalog is,
and a broken one is refused on every run with the message the check gives."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.catalog_workbook.files import refuse_a_broken_catalog
from pipelines.catalog_workbook.passed import check_inputs_hash, record_path, refuse_a_broken_catalog_once
from pipelines.reference.resolution import CRITERIA_FILE, PROJECT_REFERENCE_DIR, ReferenceProblem, resolve_reference


def _sources(tmp_path: Path) -> Path:
    sources = tmp_path / "sources"
    shutil.copytree(PROJECT_REFERENCE_DIR, sources / "reference")
    return sources


def _break(sources: Path) -> None:
    catalog = sources / "reference" / CRITERIA_FILE
    text = catalog.read_text(encoding="utf-8")
    catalog.write_text(text.replace("source_system: police_haervaerk", "source_system: politi_haervaerk", 1),
                       encoding="utf-8")


def _check_in_a_fresh_process(sources: Path, warehouse: Path) -> str:
    """Runs the remembered check in a new interpreter; says whether it imported the checker's heavy modules."""
    script = ("import sys\nfrom pathlib import Path\n"
              "from pipelines.catalog_workbook.passed import refuse_a_broken_catalog_once\n"
              "from pipelines.reference.resolution import resolve_reference\n"
              f"files = resolve_reference(Path({str(sources)!r})).files\n"
              f"refuse_a_broken_catalog_once(files, Path({str(warehouse)!r}))\n"
              "print(sorted(m for m in ('openpyxl', 'pipelines.parse') if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_catalog_that_passed_is_not_checked_again_until_it_changes(tmp_path: Path) -> None:
    sources, warehouse = _sources(tmp_path), tmp_path / "warehouse" / "kpi.duckdb"
    warehouse.parent.mkdir()
    assert _check_in_a_fresh_process(sources, warehouse) == "['openpyxl', 'pipelines.parse']"
    assert record_path(warehouse).is_file()
    assert _check_in_a_fresh_process(sources, warehouse) == "[]"  # same inputs: the pass is remembered

    catalog = sources / "reference" / CRITERIA_FILE
    catalog.write_text(catalog.read_text(encoding="utf-8") + "\n# en kommentar\n", encoding="utf-8")
    assert _check_in_a_fresh_process(sources, warehouse) == "['openpyxl', 'pipelines.parse']"


def test_a_broken_catalog_is_refused_on_every_run_with_the_checks_message(tmp_path: Path) -> None:
    sources, warehouse = _sources(tmp_path), tmp_path / "kpi.duckdb"
    files = resolve_reference(sources).files
    refuse_a_broken_catalog_once(files, warehouse)
    passed = record_path(warehouse).read_text(encoding="utf-8")
    _break(sources)
    with pytest.raises(ReferenceProblem) as direct:
        refuse_a_broken_catalog(files)
    for _ in range(2):
        with pytest.raises(ReferenceProblem) as remembered:
            refuse_a_broken_catalog_once(files, warehouse)
        assert str(remembered.value) == str(direct.value)
        assert "kataloget har 1 fejl" in str(remembered.value) and "politi_haervaerk" in str(remembered.value)
    assert record_path(warehouse).read_text(encoding="utf-8") == passed  # a refusal is never remembered


def test_the_verdict_depends_on_the_catalog_the_readings_and_the_project_vocabulary(tmp_path: Path) -> None:
    files = resolve_reference(_sources(tmp_path)).files
    before = check_inputs_hash(files)
    assert check_inputs_hash(files) == before
    readings = files["readings.yaml"]
    readings.write_text(readings.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert check_inputs_hash(files) != before
    assert check_inputs_hash({**files, "readings.yaml": tmp_path / "mangler.yaml"}) != check_inputs_hash(files)


def test_an_unreadable_record_means_checking_again(tmp_path: Path) -> None:
    sources, warehouse = _sources(tmp_path), tmp_path / "kpi.duckdb"
    record_path(warehouse).write_text("{ikke json", encoding="utf-8")
    _break(sources)
    with pytest.raises(ReferenceProblem, match="kataloget har 1 fejl"):
        refuse_a_broken_catalog_once(resolve_reference(sources).files, warehouse)
