"""The supplier gap list as a workbook: one sheet with every line, frozen header, filter, Danish dates."""

from __future__ import annotations

from pathlib import Path

from pipelines.gaps.supplier_list import HEADERS_DA, SupplierGap, as_rows


def write_gaps_workbook(gaps: list[SupplierGap], path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Manglende leverancer"
    sheet.append(HEADERS_DA)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in as_rows(gaps):
        sheet.append(row)
    for cell in sheet["E"][1:]:
        cell.number_format = "DD-MM-YYYY"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS_DA))}{max(sheet.max_row, 1)}"
    for index, width in enumerate((38, 28, 10, 30, 12, 10, 40, 60), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path
