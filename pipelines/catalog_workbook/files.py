"""Catalog files: read a workbook or YAML catalog and check it; write criteria.yaml + readings.yaml atomically.

`load_checked` is what `kpi catalog check/import` and the nightly share: every problem at once, the documents
only when there is no error.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipelines.catalog_workbook.check import check_catalog, check_yaml
from pipelines.catalog_workbook.problems import Problem, errors
from pipelines.catalog_workbook.read import read_workbook
from pipelines.catalog_workbook.vocab import Vocabulary, project_vocabulary
from pipelines.reference.resolution import CRITERIA_FILE, READINGS_FILE, ReferenceProblem

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
HEADER_DA = "# Skrevet af 'kpi catalog import' fra {source}; ret i projektmappen og importér igen.\n"


@dataclass
class CheckedCatalog:
    problems: list[Problem]
    document: dict[str, Any] | None = None
    readings_document: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not errors(self.problems)


def is_workbook(path: Path) -> bool:
    return path.suffix.lower() in WORKBOOK_SUFFIXES


def load_checked(path: Path, vocab: Vocabulary | None = None, readings_file: Path | None = None) -> CheckedCatalog:
    vocab = vocab or project_vocabulary()
    if not path.is_file():
        return CheckedCatalog([Problem(str(path), "filen findes ikke")])
    if not is_workbook(path):
        return CheckedCatalog(check_yaml(path, vocab, readings_file))
    read = read_workbook(path)
    if not read.document:
        return CheckedCatalog(read.problems)
    problems = [*read.problems, *check_catalog(read.document, read.readings_document.get("readings") or {},
                                               read.locations, vocab, read.area_plans)]
    return CheckedCatalog(problems, read.document, read.readings_document)


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(temporary, path)


def dump(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=110)


def write_catalog_files(checked: CheckedCatalog, out_dir: Path, source: Path) -> list[Path]:
    """criteria.yaml and readings.yaml in out_dir; only for a catalog without errors."""
    assert checked.ok and checked.document is not None and checked.readings_document is not None
    readings = {"version": checked.readings_document.get("version") or 1,
                "readings": checked.readings_document.get("readings") or {}}
    header = HEADER_DA.format(source=source.name)
    written = []
    for name, document in ((CRITERIA_FILE, checked.document), (READINGS_FILE, readings)):
        _atomic_write(out_dir / name, header + dump(document))
        written.append(out_dir / name)
    return written


def refuse_a_broken_catalog(reference_files: dict[str, Path]) -> None:
    """The nightly's `kpi catalog check` on the run's resolved catalog: a catalog with errors stops the run before
    anything is loaded (ReferenceProblem: exit 4, the published warehouse untouched)."""
    criteria = reference_files[CRITERIA_FILE]
    found = errors(load_checked(criteria, readings_file=reference_files.get(READINGS_FILE)).problems)
    if found:
        shown = "; ".join(f"{p.location}: {p.message_da}" for p in found[:10])
        more = f" (og {len(found) - 10} flere)" if len(found) > 10 else ""
        raise ReferenceProblem(criteria, f"kataloget har {len(found)} fejl (kpi catalog check {criteria} viser "
                               f"dem alle): {shown}{more}")
