"""A catalog (criteria.yaml + readings.yaml) as the Danish workbook, and the empty template.

Closed vocabularies are drop-down lists fed from the hidden sheet `Lister`; the indicator column offers the
chosen source system's indicators (a named range per source, `INDIRECT`). The sheet `Vejledning` explains
every column with an example loaded from the project's reference catalog (Slagelse).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from pipelines.catalog_workbook.cells import encode, yaml_text
from pipelines.catalog_workbook.layout import (
    AREA_COLUMNS,
    AREA_ROWS,
    AREAS,
    BASELINE_COLUMNS,
    BASELINES,
    BOOL,
    CRITERIA,
    CRITERION_COLUMNS,
    FIELD,
    GRAINS,
    GUIDE,
    LATER,
    LISTS,
    META,
    MUNICIPALITY,
    NO,
    OPERATORS,
    PLAN_PERIOD,
    PLAN_PERIOD_CELLS,
    PROGRAM,
    PROGRAMME_NAME,
    READING_COLUMNS,
    READINGS,
    READINGS_VERSION,
    RULE_PARAMETERS,
    STANDARD_BASELINE_KEYS,
    STANDARD_CRITERION_KEYS,
    VALUE,
    VERSION,
    YES,
    Column,
)
from pipelines.catalog_workbook.vocab import PSEUDO_AREAS, Vocabulary

VALIDATED_ROWS = 2000  # rows of a data sheet that carry the drop-downs
TOP_LEVEL_IN_SHEETS = ("criteria", "areas", "plan_periods")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def _put(sheet: Worksheet, row: int, column: int, value: Any) -> None:
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text starting with '=' (an operator '==') stays text, never a formula
    if isinstance(value, str) and "\n" in value:
        cell.alignment = WRAP


def _header(sheet: Worksheet, columns: tuple[Column, ...]) -> None:
    for index, column in enumerate(columns, start=1):
        _put(sheet, 1, index, column.header)
        sheet.cell(row=1, column=index).font = BOLD
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "B2"


def _rows(sheet: Worksheet, columns: tuple[Column, ...], rows: list[dict[str, Any]]) -> None:
    _header(sheet, columns)
    for number, row in enumerate(rows, start=2):
        for index, column in enumerate(columns, start=1):
            _put(sheet, number, index, encode(row.get(column.key), column.kind))


# --- catalog → rows --------------------------------------------------------------------------------

def plan_membership(document: dict[str, Any]) -> dict[str, list[str]]:
    """Area key → the plan periods its criteria cover (the Områder sheet's Planperioder)."""
    out: dict[str, list[str]] = {}
    for criterion in document.get("criteria") or []:
        for area in criterion.get("areas") or []:
            periods = out.setdefault(area, [])
            if criterion.get("plan_period") not in periods:
                periods.append(criterion["plan_period"])
    return {area: sorted(periods) for area, periods in out.items()}


def _area_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    membership = plan_membership(document)
    known = {c.key for c in AREA_COLUMNS}
    return [{**area, "key": key, "plan_periods": membership.get(key, []),
             "*": {k: v for k, v in area.items() if k not in known or v is None}}
            for key, area in (document.get("areas") or {}).items()]


def _criterion_row(criterion: dict[str, Any], reading: dict[str, Any]) -> dict[str, Any]:
    rule = criterion.get("target_rule") or {}
    flat = "kind" in rule
    row = {k: v for k, v in criterion.items() if k in STANDARD_CRITERION_KEYS}
    if flat:
        row |= {f"rule.{k}": v for k, v in rule.items() if k in RULE_PARAMETERS and v is not None}
    row["*rule"] = {k: v for k, v in rule.items() if not flat or k not in RULE_PARAMETERS or v is None}
    row["reading.indicator"] = (reading.get("indicator") or {}).get("indicator")
    row["reading.due_period"] = reading.get("due_period")
    row["*"] = {k: v for k, v in criterion.items() if k not in STANDARD_CRITERION_KEYS
                or (k == "baseline" and v == [])}  # an empty list, not "no baseline": kept as written
    return row


def _baseline_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    known = {c.key for c in BASELINE_COLUMNS}
    rows = []
    for criterion in document.get("criteria") or []:
        for baseline in criterion.get("baseline") or []:
            value = LATER if baseline.get("value") is None else baseline["value"]
            rows.append({**baseline, "criterion_id": criterion["id"], "value": value,
                         "*": {k: v for k, v in baseline.items()
                               if k not in known or (v is None and k not in STANDARD_BASELINE_KEYS)}})
    return rows


def _reading_rows(readings: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    known = {c.key for c in READING_COLUMNS}
    rows = []
    for canonical_id, reading in readings.items():
        indicator = reading.get("indicator") or {}
        rows.append({**reading, "canonical_id": canonical_id,
                     "indicator.source_system": indicator.get("source_system"),
                     "indicator.indicator": indicator.get("indicator"),
                     "*": {k: v for k, v in reading.items() if (k not in known or v is None) and k != "indicator"}})
    return rows


def _programme_sheet(sheet: Worksheet, document: dict[str, Any], readings_version: Any) -> None:
    meta = document.get("meta") or {}
    programme = meta.get("programme") if isinstance(meta.get("programme"), dict) else {}
    rows = [(PROGRAMME_NAME, programme.get("name")), (MUNICIPALITY, programme.get("municipality")),
            (VERSION, meta.get("version")), (READINGS_VERSION, readings_version),
            *((PLAN_PERIOD, period) for period in (document.get("plan_periods") or {}).values())]
    if not document.get("plan_periods"):
        rows.append((PLAN_PERIOD, None))
    _put(sheet, 1, 1, FIELD)
    _put(sheet, 1, 2, VALUE)
    sheet.cell(row=1, column=1).font = sheet.cell(row=1, column=2).font = BOLD
    for number, (field, value) in enumerate(rows, start=2):
        _put(sheet, number, 1, field)
        _put(sheet, number, 2, value)
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 60


def _meta_sheet(sheet: Worksheet, document: dict[str, Any]) -> None:
    """What no data sheet holds (meta, source_systems ...), as YAML lines, so an export imports back whole."""
    rest = {k: v for k, v in document.items() if k not in TOP_LEVEL_IN_SHEETS}
    if "meta" in rest:
        rest["meta"] = {k: v for k, v in rest["meta"].items()
                        if k != "version" and not (k == "programme" and isinstance(v, dict))}
    import yaml

    text = yaml.safe_dump(rest, allow_unicode=True, sort_keys=False, width=10**6) if rest else ""
    _put(sheet, 1, 1, "YAML")
    for number, line in enumerate(text.splitlines(), start=2):
        _put(sheet, number, 1, line)
    sheet.sheet_state = "hidden"


# --- drop-downs ------------------------------------------------------------------------------------

def _area_formulas() -> tuple[str, ...]:
    """The Områder sheet's keys as they are typed, so the drop-downs follow areas added in Excel."""
    areas = quote_sheetname(AREAS)
    return tuple(f'=IF({areas}!$A${row}="","",{areas}!$A${row})' for row in range(2, AREA_ROWS + 2))


def _lists(vocab: Vocabulary) -> dict[str, tuple[str, ...]]:
    return {
        "Kildesystemer": vocab.source_systems, "Indikatorer": vocab.all_indicators(),
        "Regeltyper": vocab.rule_kinds, "Enheder": vocab.units, "Retninger": vocab.directions,
        "Niveauer": vocab.levels, "Frekvenser": vocab.frequencies, "Granulariteter": vocab.granularities,
        "Sammenlægning": vocab.combine, "Operatorer": OPERATORS, "Periodetyper": GRAINS, "JaNej": (YES, NO),
        "Baselineområder": ("combined_mean", *vocab.comparators, *PSEUDO_AREAS, *_area_formulas()),
    }


def _lists_sheet(workbook: Workbook, sheet: Worksheet, lists: dict[str, tuple[str, ...]],
                 vocab: Vocabulary) -> dict[str, str]:
    """Write each list in a column; return list name → its range; one named range `ind_<source>` per source."""
    ranges: dict[str, str] = {}
    columns = [*lists.items(), *((f"ind_{s}", codes) for s, codes in vocab.indicators.items())]
    for index, (name, values) in enumerate(columns, start=1):
        letter = get_column_letter(index)
        _put(sheet, 1, index, name)
        for number, value in enumerate(values, start=2):
            if value.startswith("="):
                sheet.cell(row=number, column=index, value=value)  # a formula
            else:
                _put(sheet, number, index, value)
        area = f"{quote_sheetname(LISTS)}!${letter}$2:${letter}${max(len(values) + 1, 2)}"
        ranges[name] = area
        if name.startswith("ind_"):
            workbook.defined_names[name] = DefinedName(name, attr_text=area)
    sheet.sheet_state = "hidden"
    ranges["Planperioder"] = f"{quote_sheetname(PROGRAM)}!{PLAN_PERIOD_CELLS}"
    return ranges


def _validate(sheet: Worksheet, columns: tuple[Column, ...], ranges: dict[str, str]) -> None:
    headers = {c.key: i for i, c in enumerate(columns, start=1)}
    for index, column in enumerate(columns, start=1):
        if column.vocab is None and column.kind != BOOL:
            continue
        letter = get_column_letter(index)
        formula = ranges[column.vocab or "JaNej"]  # OOXML keeps a validation's formula without the leading '='

        if column.key == "reading.indicator":  # the indicators of the source chosen in the same row
            source = get_column_letter(headers["source_system"])
            formula = f'INDIRECT("ind_"&${source}2)'
        validation = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                                    errorTitle="Ukendt værdi", error=f"Vælg en værdi fra listen ({column.header}).")
        validation.add(f"{letter}2:{letter}{VALIDATED_ROWS}")
        sheet.add_data_validation(validation)


# --- guide -----------------------------------------------------------------------------------------

def _example(rows: list[dict[str, Any]], column: Column) -> Any:
    for row in rows:
        value = encode(row.get(column.key), column.kind)
        if value is not None:
            return value if not isinstance(value, str) else value.splitlines()[0][:120]
    return None


def _guide_sheet(sheet: Worksheet, example_document: dict[str, Any],
                 example_readings: dict[str, dict[str, Any]]) -> None:
    criteria = example_document.get("criteria") or []
    example_rows = {
        AREAS: _area_rows(example_document),
        CRITERIA: [_criterion_row(c, example_readings.get(c["canonical_id"], {})) for c in criteria],
        BASELINES: _baseline_rows(example_document),
        READINGS: _reading_rows(example_readings),
    }
    lines: list[tuple[Any, ...]] = [
        ("Sådan udfyldes kataloget",),
        ("Udfyld arkene Program, Områder, Kriterier, Baselines og Læsninger. Kør derefter "
         "'kpi catalog check FIL.xlsx' og ret alle fejl; 'kpi catalog import FIL.xlsx' skriver criteria.yaml "
         "og readings.yaml. Se docs/ny_helhedsplan.md.",),
        ("Eksemplerne er hentet fra Slagelses katalog (sources/reference/criteria.yaml).",),
        (),
        ("Ark", "Kolonne", "Forklaring", "Eksempel"),
        (PROGRAM, PROGRAMME_NAME, "Programmets navn, som det står i rapporten.", None),
        (PROGRAM, MUNICIPALITY, "Kommunen.", None),
        (PROGRAM, VERSION, "Katalogets versionsnummer; tæl op ved hver ændring.",
         (example_document.get("meta") or {}).get("version")),
        (PROGRAM, PLAN_PERIOD, "Én række pr. planperiode: startdato/slutdato.",
         next(iter((example_document.get("plan_periods") or {}).values()), None)),
    ]
    for name, columns in ((AREAS, AREA_COLUMNS), (CRITERIA, CRITERION_COLUMNS), (BASELINES, BASELINE_COLUMNS),
                          (READINGS, READING_COLUMNS)):
        lines += [(name, c.header, c.explanation_da, _example(example_rows[name], c)) for c in columns]
    for number, line in enumerate(lines, start=1):
        for index, value in enumerate(line, start=1):
            _put(sheet, number, index, value)
    sheet.cell(row=1, column=1).font = BOLD
    for index, width in enumerate((14, 26, 80, 50), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


# --- the workbook ----------------------------------------------------------------------------------

def catalog_workbook(document: dict[str, Any], readings_document: dict[str, Any], vocab: Vocabulary,
                     example_document: dict[str, Any], example_readings: dict[str, dict[str, Any]]) -> Workbook:
    readings = readings_document.get("readings") or {}
    workbook = Workbook()
    program = workbook.active
    program.title = PROGRAM
    _programme_sheet(program, document, readings_document.get("version"))
    sheets = {name: workbook.create_sheet(name) for name in (AREAS, CRITERIA, BASELINES, READINGS)}
    _rows(sheets[AREAS], AREA_COLUMNS, _area_rows(document))
    _rows(sheets[CRITERIA], CRITERION_COLUMNS,
          [_criterion_row(c, readings.get(c["canonical_id"], {})) for c in document.get("criteria") or []])
    _rows(sheets[BASELINES], BASELINE_COLUMNS, _baseline_rows(document))
    _rows(sheets[READINGS], READING_COLUMNS, _reading_rows(readings))
    _guide_sheet(workbook.create_sheet(GUIDE), example_document, example_readings)
    ranges = _lists_sheet(workbook, workbook.create_sheet(LISTS), _lists(vocab), vocab)
    _meta_sheet(workbook.create_sheet(META), document)
    for name, columns in ((AREAS, AREA_COLUMNS), (CRITERIA, CRITERION_COLUMNS), (BASELINES, BASELINE_COLUMNS),
                          (READINGS, READING_COLUMNS)):
        _validate(sheets[name], columns, ranges)
    return workbook


def empty_document(name: str | None = None, municipality: str | None = None,
                   plan_periods: dict[str, str] | None = None) -> dict[str, Any]:
    return {"meta": {"version": 1, "programme": {"name": name, "municipality": municipality}},
            "areas": {}, "plan_periods": plan_periods or {}, "criteria": []}


def save(workbook: Workbook, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(out)
    return out


__all__ = ["catalog_workbook", "empty_document", "save", "yaml_text"]
