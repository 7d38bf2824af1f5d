"""Small helpers for writing sample workbooks the way suppliers' spreadsheets look."""

from __future__ import annotations

from pathlib import Path

import openpyxl


def danish(value: float, decimals: int = 1) -> str:
    """A number as a Danish text cell: `34,2`."""
    return f"{value:.{decimals}f}".replace(".", ",")


def write_workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    # A fixed timestamp keeps the file byte-identical across regenerations (same sha256, no re-delivery).
    from datetime import datetime

    workbook.properties.created = workbook.properties.modified = datetime(2020, 1, 1)
    workbook.save(path)
    return path
