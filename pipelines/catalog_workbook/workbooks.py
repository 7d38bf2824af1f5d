"""Write the template and an existing catalog as workbooks (the examples always from the project's catalog)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipelines.catalog_workbook.vocab import REFERENCE_CATALOG, REFERENCE_READINGS, project_vocabulary
from pipelines.catalog_workbook.write import catalog_workbook, empty_document, save
from pipelines.yaml_text import load_yaml


def _yaml(path: Path) -> dict[str, Any]:
    return load_yaml(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _examples() -> tuple[dict[str, Any], dict[str, Any]]:
    return _yaml(REFERENCE_CATALOG), _yaml(REFERENCE_READINGS).get("readings") or {}


def write_template(out: Path, name: str | None = None, municipality: str | None = None) -> Path:
    example, example_readings = _examples()
    document = empty_document(name, municipality)
    return save(catalog_workbook(document, {"version": 1, "readings": {}}, project_vocabulary(), example,
                                 example_readings), out)


def export_catalog(catalog_file: Path, out: Path, readings_file: Path | None = None) -> Path:
    readings = _yaml(readings_file or catalog_file.with_name("readings.yaml")) or {"readings": {}}
    return write_workbook(_yaml(catalog_file), readings, out)


def write_workbook(document: dict[str, Any], readings_document: dict[str, Any], out: Path) -> Path:
    """A catalog and its readings (as criteria.yaml and readings.yaml hold them) as the programme's workbook."""
    example, example_readings = _examples()
    return save(catalog_workbook(document, readings_document, project_vocabulary(), example, example_readings), out)
