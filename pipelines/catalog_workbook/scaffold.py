"""`kpi programme new`: a new programme's folder and its line in programmes.toml.

```
DIR/katalog.xlsx            the catalog workbook (template), filled by the secretariat, then
                            `kpi catalog import DIR/katalog.xlsx --out DIR/reference`
DIR/reference/*.csv         the reference files to fill in, with the project's headers and no rows: area
                            addresses, area aliases, afdelinger, the delivery calendar (own suppliers, deadlines)
DIR/inbox/<source_system>/  one folder per source system the project can read (parser registry): every system, as which
                            ones the programme uses is only known once its catalog is filled; empty folders
                            can be deleted
```
The programme's line is appended to programmes.toml (never rewritten); an existing plan_id is refused.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from pipelines.publish.postgres import PostgresPublishError, check_identifier
from pipelines.publish.programmes import ProgrammesError, read_programmes
from pipelines.reference.resolution import (
    ADDRESSES_FILE,
    AFDELINGER_FILE,
    ALIASES_FILE,
    CALENDAR_FILE,
    PROJECT_REFERENCE_DIR,
)
from pipelines.settings import DEFAULT_SOURCES, INBOX_DIR_NAME, REFERENCE_DIR_NAME, REPO_ROOT

CSV_FILES = (ADDRESSES_FILE, AFDELINGER_FILE, ALIASES_FILE, CALENDAR_FILE)
WORKBOOK_NAME = "katalog.xlsx"
PROJECT_PROGRAMMES = DEFAULT_SOURCES / "programmes.toml"
NEW_FILE_HEADER = ("# Programmes built by `kpi nightly --programmes FILE` (pipelines/publish/programmes.py); paths are "
                   "relative to this file.\n")


class ScaffoldError(ValueError):
    """Why a programme cannot be created; the message is Danish."""


@dataclass(frozen=True)
class NewProgramme:
    plan_id: str
    folder: Path
    workbook: Path
    programmes_file: Path
    inboxes: list[Path]


def _default_warehouse(programmes_file: Path, plan_id: str) -> Path:
    if programmes_file.resolve() == PROJECT_PROGRAMMES.resolve():
        return REPO_ROOT / "warehouse" / "programmes" / plan_id / f"{plan_id}.duckdb"
    return programmes_file.parent / "warehouses" / plan_id / f"{plan_id}.duckdb"  # a folder of its own


def _relative(path: Path, start: Path) -> str:
    return Path(os.path.relpath(path.resolve(), start.resolve())).as_posix()


def _known_plan_ids(programmes_file: Path) -> set[str]:
    if not programmes_file.is_file():
        return set()
    try:
        return {p.plan_id for p in read_programmes(programmes_file)}
    except ProgrammesError as exc:
        raise ScaffoldError(str(exc)) from exc


def _entry(plan_id: str, name: str, sources: str, warehouse: str) -> str:
    quoted = {k: json.dumps(v, ensure_ascii=False) for k, v in
              (("plan_id", plan_id), ("name", name), ("sources", sources), ("warehouse", warehouse))}
    return "\n[[programme]]\n" + "".join(f"{k} = {v}\n" for k, v in quoted.items())


def new_programme(plan_id: str, name: str | None = None, folder: Path | None = None,
                  programmes_file: Path = PROJECT_PROGRAMMES, warehouse: Path | None = None,
                  municipality: str | None = None) -> NewProgramme:
    from pipelines.catalog_workbook.workbooks import write_template
    from pipelines.parse import registry

    try:
        check_identifier(plan_id, "programnavn (plan_id)")
    except PostgresPublishError as exc:
        raise ScaffoldError(str(exc)) from exc
    if plan_id in _known_plan_ids(programmes_file):
        raise ScaffoldError(f"programmet '{plan_id}' findes allerede i {programmes_file}; vælg et andet plan_id")
    folder = folder or programmes_file.parent / "programmes" / plan_id
    if folder.exists() and any(folder.iterdir()):
        raise ScaffoldError(f"mappen {folder} findes allerede og er ikke tom; vælg en anden med --dir")
    name = name or plan_id
    reference = folder / REFERENCE_DIR_NAME
    reference.mkdir(parents=True, exist_ok=True)
    for file in CSV_FILES:
        header = (PROJECT_REFERENCE_DIR / file).read_text(encoding="utf-8-sig").splitlines()[0]
        (reference / file).write_text(header + "\n", encoding="utf-8")
    inboxes = []
    for source in sorted(registry()):  # baselines too: the programme's own baseline decisions
        inbox = folder / INBOX_DIR_NAME / source
        inbox.mkdir(parents=True, exist_ok=True)
        inboxes.append(inbox)
    workbook = write_template(folder / WORKBOOK_NAME, name=name, municipality=municipality)
    warehouse = warehouse or _default_warehouse(programmes_file, plan_id)
    before = programmes_file.read_text(encoding="utf-8") if programmes_file.is_file() else NEW_FILE_HEADER
    separator = "" if before.endswith("\n") else "\n"
    programmes_file.parent.mkdir(parents=True, exist_ok=True)
    with programmes_file.open("a" if programmes_file.is_file() else "w", encoding="utf-8") as out:
        out.write((separator if programmes_file.stat().st_size else NEW_FILE_HEADER)
                  + _entry(plan_id, name, _relative(folder, programmes_file.parent),
                           _relative(warehouse, programmes_file.parent)))
    return NewProgramme(plan_id, folder, workbook, programmes_file, inboxes)
