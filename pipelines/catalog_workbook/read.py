"""The workbook → criteria.yaml and readings.yaml documents, every value remembered with its cell.

Columns are found by their header, so their order does not matter; a missing sheet, a missing or renamed
column and a cell that does not fit its column (a word where a number belongs) are problems located at the
cell. The catalog's own checks (check.py) then run on the documents with these locations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pipelines.catalog_workbook.cells import CellError, decode
from pipelines.catalog_workbook.layout import (
    AREA_COLUMNS,
    AREAS,
    BASELINE_COLUMNS,
    BASELINES,
    CRITERIA,
    CRITERION_COLUMNS,
    DATA_SHEETS,
    LATER,
    LINES,
    META,
    MUNICIPALITY,
    PLAN_PERIOD,
    PROGRAM,
    PROGRAMME_NAME,
    READING_COLUMNS,
    READINGS,
    READINGS_VERSION,
    STANDARD_BASELINE_KEYS,
    STANDARD_CRITERION_KEYS,
    VERSION,
    Column,
)
from pipelines.catalog_workbook.problems import Locations, Problem
from pipelines.yaml_text import load_yaml


@dataclass
class WorkbookCatalog:
    document: dict[str, Any]
    readings_document: dict[str, Any]
    locations: Locations
    area_plans: dict[str, list[str]] = field(default_factory=dict)  # area → plan periods (Områder sheet)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    cells: dict[str, str]  # column key → cell reference


def plan_key(period: str) -> str:
    """2017-10-01/2021-09-30 → p2017_2021 (the key plan_periods uses)."""
    start, _, end = period.partition("/")
    return f"p{start[:4]}_{end[:4]}"


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def rows(self, sheet: Worksheet | None, name: str, columns: tuple[Column, ...]) -> list[_Row]:
        if sheet is None:
            return []
        header = [c.value.strip() if isinstance(c.value, str) else c.value for c in sheet[1]]
        by_header = {h: i for i, h in enumerate(header) if h}
        expected = {c.header for c in columns}
        for column in columns:
            if column.header not in by_header:
                self.problem(f"{name}!1", f"kolonnen '{column.header}' mangler (omdøbt eller slettet?); "
                             "overskrifterne i række 1 skal stå som i skabelonen")
        for text, index in by_header.items():
            if text not in expected:
                self.problem(f"{name}!{get_column_letter(index + 1)}1",
                             f"ukendt kolonne '{text}'; brug skabelonens overskrifter")
        rows = []
        for number, cells in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
            if not any(v is not None and str(v).strip() for v in cells):
                continue
            row = _Row(number, {}, {})
            for column in columns:
                index = by_header.get(column.header)
                if index is None:
                    row.values[column.key] = [] if column.kind == LINES else None
                    continue
                ref = f"{name}!{get_column_letter(index + 1)}{number}"
                row.cells[column.key] = ref
                raw = cells[index] if index < len(cells) else None
                if column.key == "value" and name == BASELINES and isinstance(raw, str) \
                        and raw.strip().casefold() == LATER:
                    row.values[column.key] = None
                    continue
                try:
                    row.values[column.key] = decode(raw, column.kind)
                except CellError as exc:
                    self.problem(ref, f"{exc} (kolonnen '{column.header}')")
                    row.values[column.key] = None
            rows.append(row)
        return rows


def _programme(reader: _Reader, sheet: Worksheet | None, locations: Locations) -> tuple[dict, dict, Any]:
    meta: dict[str, Any] = {}
    programme: dict[str, Any] = {}
    plan_periods: dict[str, str] = {}
    readings_version = None
    if sheet is None:
        return meta, plan_periods, readings_version
    known = (PROGRAMME_NAME, MUNICIPALITY, VERSION, READINGS_VERSION, PLAN_PERIOD)
    for number, (label, value, *_) in enumerate(sheet.iter_rows(min_row=2, max_col=2, values_only=True), start=2):
        if label is None and value is None:
            continue
        label = str(label or "").strip()
        where = f"{PROGRAM}!B{number}"
        if label not in known:
            reader.problem(f"{PROGRAM}!A{number}", f"ukendt felt '{label}'; forventet en af {', '.join(known)}")
        elif label == PROGRAMME_NAME:
            programme["name"] = None if value is None else str(value).strip()
        elif label == MUNICIPALITY:
            programme["municipality"] = None if value is None else str(value).strip()
        elif label == VERSION:
            meta["version"] = value
            locations.cells[("meta", "version")] = where
        elif label == READINGS_VERSION:
            readings_version = value
        elif value is not None:
            period = str(value).strip()
            plan_periods[plan_key(period)] = period
            locations.cells[("plan_periods", plan_key(period))] = where
    programme = {k: v for k, v in programme.items() if v}
    if programme:
        meta["programme"] = programme
    return meta, plan_periods, readings_version


def _metadata(reader: _Reader, sheet: Worksheet | None) -> dict[str, Any]:
    if sheet is None:
        return {}
    text = "\n".join(str(v) for (v, *_) in sheet.iter_rows(min_row=2, max_col=1, values_only=True) if v is not None)
    try:
        return load_yaml(text) or {} if text else {}
    except Exception:  # a hand-edited hidden sheet: say so, never a traceback
        reader.problem(f"{META}!A2", "arket Metadata er ikke gyldig YAML; eksportér kataloget igen")
        return {}


def _criterion(row: _Row) -> dict[str, Any]:
    values = row.values
    criterion = {key: values.get(key) for key in STANDARD_CRITERION_KEYS if key not in ("target_rule", "baseline")}
    criterion["canonical_id"] = values.get("canonical_id") or values.get("id")
    rule = {k.removeprefix("rule."): v for k, v in values.items() if k.startswith("rule.") and v is not None}
    criterion["target_rule"] = {**rule, **(values.get("*rule") or {})}
    criterion["baseline"] = None
    criterion |= values.get("*") or {}
    return criterion


def read_workbook(path: Path) -> WorkbookCatalog:
    reader = _Reader(path)
    locations = Locations(path.name, {("plan_periods",): f"{PROGRAM}!A2", ("areas",): f"{AREAS}!A2",
                                      ("criteria",): f"{CRITERIA}!A2"})
    try:
        workbook = load_workbook(path, data_only=True)
    except Exception as exc:  # any unreadable file: a Danish message, never a traceback
        unreadable = Problem(path.name, f"filen kan ikke læses som Excel-projektmappe (.xlsx): {type(exc).__name__}")
        return WorkbookCatalog({}, {}, locations, problems=[unreadable])
    sheets = {name: workbook[name] if name in workbook.sheetnames else None for name in (*DATA_SHEETS, META)}
    for name in DATA_SHEETS:
        if sheets[name] is None:
            reader.problem(name, f"arket '{name}' mangler; projektmappen skal have arkene {', '.join(DATA_SHEETS)}")
    meta, plan_periods, readings_version = _programme(reader, sheets[PROGRAM], locations)
    document: dict[str, Any] = _metadata(reader, sheets[META])
    document["meta"] = {**meta, **(document.get("meta") or {}), **meta}  # version first; the Program sheet wins

    areas: dict[str, dict[str, Any]] = {}
    area_plans: dict[str, list[str]] = {}
    for row in reader.rows(sheets[AREAS], AREAS, AREA_COLUMNS):
        key = row.values.get("key") or ""
        for column_key, ref in row.cells.items():
            locations.cells[("areas", key, column_key)] = ref
        locations.cells[("areas", key)] = row.cells.get("key", f"{AREAS}!A{row.number}")
        if key in areas:
            reader.problem(row.cells.get("key", ""), f"området '{key}' står to gange")
        area = {k: v for k, v in row.values.items() if k not in ("key", "plan_periods", "*") and v not in (None, [])}
        areas[key] = {**area, **(row.values.get("*") or {})}
        area_plans[key] = row.values.get("plan_periods") or []
    document["areas"] = areas
    document["plan_periods"] = plan_periods

    criteria = []
    criterion_rows = reader.rows(sheets[CRITERIA], CRITERIA, CRITERION_COLUMNS)
    for index, row in enumerate(criterion_rows):
        criteria.append(_criterion(row))
        locations.cells[("criteria", index)] = f"{CRITERIA}!A{row.number}"
        for key, ref in row.cells.items():
            path = ("target_rule", key.removeprefix("rule.")) if key.startswith("rule.") else (key,)
            locations.cells[("criteria", index, *path)] = ref
    by_id = {c["id"]: (i, c) for i, c in enumerate(criteria) if c.get("id")}
    for row in reader.rows(sheets[BASELINES], BASELINES, BASELINE_COLUMNS):
        criterion_id = row.values.get("criterion_id")
        if criterion_id not in by_id:
            reader.problem(row.cells.get("criterion_id", f"{BASELINES}!A{row.number}"),
                           f"ukendt kriterie-id '{criterion_id}'; brug et Id fra arket Kriterier")
            continue
        index, criterion = by_id[criterion_id]
        baselines = criterion["baseline"] = criterion["baseline"] or []
        baseline = {key: row.values.get(key) for key in STANDARD_BASELINE_KEYS}
        if row.values.get("role"):
            baseline["role"] = row.values["role"]
        baselines.append({**baseline, **(row.values.get("*") or {})})
        for key, ref in row.cells.items():
            locations.cells[("criteria", index, "baseline", len(baselines) - 1, key)] = ref
    document["criteria"] = criteria
    readings = _readings(reader, sheets[READINGS], criteria, criterion_rows, locations)
    readings_document = {"version": readings_version, "readings": readings}
    return WorkbookCatalog(document, readings_document, locations, area_plans, reader.problems)


def _readings(reader: _Reader, sheet: Worksheet | None, criteria: list[dict[str, Any]],
              criterion_rows: list[_Row], locations: Locations) -> dict[str, dict[str, Any]]:
    sources = {c["canonical_id"]: c.get("source_system") for c in reversed(criteria)}
    readings: dict[str, dict[str, Any]] = {}
    for row in reader.rows(sheet, READINGS, READING_COLUMNS):
        values = row.values
        canonical_id = values.get("canonical_id") or ""
        if canonical_id in readings:
            reader.problem(row.cells.get("canonical_id", ""), f"læsningen for '{canonical_id}' står to gange")
        reading = {k: v for k, v in values.items() if v is not None and k != "canonical_id" and "." not in k
                   and k != "*"}
        if values.get("indicator.indicator"):
            reading["indicator"] = {"source_system": values.get("indicator.source_system")
                                    or sources.get(canonical_id), "indicator": values["indicator.indicator"]}
        readings[canonical_id] = {**reading, **(values.get("*") or {})}
        for key, ref in row.cells.items():
            locations.cells[("readings", canonical_id, *key.split("."))] = ref
        locations.cells[("readings", canonical_id)] = row.cells.get("canonical_id", f"{READINGS}!A{row.number}")
    for criterion, row in zip(criteria, criterion_rows, strict=True):
        _reading_from_criterion_row(reader, readings, criterion, row, locations)
    return readings


def _reading_from_criterion_row(reader: _Reader, readings: dict[str, dict[str, Any]], criterion: dict[str, Any],
                                row: _Row, locations: Locations) -> None:
    """Kriterier's Indikator and Frist feed the reading of the criterion's canonical_id; they must agree."""
    canonical_id = criterion["canonical_id"]
    for key, reading_key in (("reading.indicator", "indicator"), ("reading.due_period", "due_period")):
        value = row.values.get(key)
        if value is None:
            continue
        reading = readings.setdefault(canonical_id, {})
        if reading_key == "indicator":
            value = {"source_system": criterion.get("source_system"), "indicator": value}
        present = reading.get(reading_key)
        if present is None:
            reading[reading_key] = value
            locations.cells.setdefault(("readings", canonical_id, reading_key), row.cells[key])
            locations.cells.setdefault(("readings", canonical_id), row.cells[key])
        elif (present["indicator"] if reading_key == "indicator" else present) != \
                (value["indicator"] if reading_key == "indicator" else value):
            shown = present["indicator"] if reading_key == "indicator" else present
            reader.problem(row.cells[key], f"'{row.values[key]}' er uenig med '{shown}' ("
                           f"{locations.at('readings', canonical_id, reading_key)}) for det fælles id "
                           f"'{canonical_id}'")
