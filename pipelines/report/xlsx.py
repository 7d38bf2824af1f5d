"""The XLSX report: an overview sheet, one sheet per indsatsområde, the changes and the data gaps.

Every sheet is one table: a bold frozen header row, an autofilter, Danish number and date formats
(Excel shows the decimal comma of a Danish locale), and the status as a Danish word.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pipelines.report.model import UNCHECKED_NOTE_DA, Criterion, ReportData, StatusRow
from pipelines.report.tables import board_decisions, gap_summary
from pipelines.report.vocabulary import STATUS_DA

NUMBER_FORMAT = "#,##0.0##"
DATE_FORMAT = "dd-mm-yyyy"
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
STATUS_FILLS = {"met": "D9F0DF", "on_track": "EEF7E9", "not_met": "F9D9D7", "off_track": "FDE9CC",
                "qualitative": "E8EEF8"}
ROW_COLUMNS = [("Kriterium", 34), ("Niveau", 14), ("Område", 26), ("Områdenøgle", 13), ("Periode", 9),
               ("Værdi", 10), ("Baselineperiode", 10), ("Baseline", 10), ("Mål", 10), ("Status", 18),
               ("Begrundelse", 80), ("Data leveret", 12)]
INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_title(name: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = INVALID_SHEET_CHARS.sub("-", name).strip() or "Ark"
    title = base[:31]
    number = 2
    while title.lower() in taken:
        suffix = f" ({number})"
        title = base[: 31 - len(suffix)] + suffix
        number += 1
    taken.add(title.lower())
    return title


def write_table(sheet: Worksheet, columns: list[tuple[str, int]], rows: list[list[Any]],
                number_columns: set[str] = frozenset(), date_columns: set[str] = frozenset(),
                status_column: str | None = None) -> None:
    sheet.append([name for name, _ in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    for row in rows:
        sheet.append(row)
    names = [name for name, _ in columns]
    for index, (name, width) in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = width
        if name in number_columns or name in date_columns:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = NUMBER_FORMAT if name in number_columns else DATE_FORMAT
    if status_column:
        index = names.index(status_column) + 1
        words = {word: status for status, word in STATUS_DA.items()}
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            fill = STATUS_FILLS.get(words.get(cell.value, ""))
            if fill:
                cell.fill = PatternFill("solid", fgColor=fill)
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(rows) + 1)}"


def status_row(criterion: Criterion, row: StatusRow, data: ReportData) -> list[Any]:
    return [criterion.criterion_id, criterion.level_da, data.area_name(row.area_key), row.area_key, row.period,
            row.value, row.baseline_period, row.baseline_value, row.target_value, STATUS_DA[row.status],
            f"{row.status_reason} ({UNCHECKED_NOTE_DA})" if criterion.unchecked and row.value is not None
            else row.status_reason, row.data_as_of]


def write_xlsx(data: ReportData, path: Path) -> Path:
    workbook = Workbook()
    overview = workbook.active
    overview.title = "Overblik"
    taken = {"overblik"}
    numbers, dates = {"Værdi", "Baseline", "Mål"}, {"Data leveret"}
    overview_columns = [("Indsatsområde", 30), *ROW_COLUMNS[:2], ("Tekst", 60), *ROW_COLUMNS[2:]]
    overview_rows = []
    for section in data.sections:
        for criterion in section.criteria:
            if not criterion.has_source:
                overview_rows.append([section.name, criterion.criterion_id, criterion.level_da, criterion.text_da,
                                      "", "", "", None, "", None, None, "", "Ingen datakilde", None])
            for row in criterion.latest.values():
                values = status_row(criterion, row, data)
                overview_rows.append([section.name, *values[:2], criterion.text_da, *values[2:]])
    write_table(overview, overview_columns, overview_rows, numbers, dates, "Status")
    for section in data.sections:
        sheet = workbook.create_sheet(sheet_title(section.name, taken))
        rows = [status_row(c, r, data) for c in section.criteria for r in c.rows]
        write_table(sheet, ROW_COLUMNS, rows, numbers, dates, "Status")
    changes = workbook.create_sheet(sheet_title("Ændringer", taken))
    write_table(changes, [("Kriterium", 34), ("Område", 26), ("Periode", 9), ("Status før", 18), ("Værdi før", 10),
                          ("Status nu", 18), ("Værdi nu", 10), ("Begrundelse nu", 80)],
                [[c.criterion_id, data.area_name(c.area_key), c.period,
                  STATUS_DA.get(c.old_status or "", "findes ikke"), c.old_value,
                  STATUS_DA.get(c.new_status or "", "findes ikke"), c.new_value, c.new_reason]
                 for c in data.changes], {"Værdi før", "Værdi nu"}, set(), "Status nu")
    gaps = gap_summary(data)
    if gaps:
        gap_sheet = workbook.create_sheet(sheet_title("Datamangler", taken))
        write_table(gap_sheet, [(name, 18 if name != "Leverandør" else 36) for name in gaps[0]],
                    [list(g.values()) for g in gaps])
    decisions = board_decisions(data)
    if decisions:
        board_sheet = workbook.create_sheet(sheet_title("Bestyrelsens beslutninger", taken))
        write_table(board_sheet, [(name, 80 if name.startswith("Hvad") else 28) for name in decisions[0]],
                    [list(d.values()) for d in decisions])
    workbook.properties.title = "KPI-rapport til bestyrelsen"
    workbook.properties.creator = "kpi-warehouse"
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path
