"""Small helpers for writing sample workbooks the way suppliers' spreadsheets look."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
from openpyxl.writer.excel import ExcelWriter

# One fixed timestamp for the document properties and every zip entry: a regenerated sample is
# byte-identical (same sha256, so the pipeline sees no re-delivery).
FIXED_TIME = datetime(2020, 1, 1)


class _FixedTimeZip(zipfile.ZipFile):
    """zipfile stamps entries with the wall clock (writestr) or a file's mtime (write); use FIXED_TIME instead."""

    def writestr(self, name, data, compress_type=None, compresslevel=None):
        if isinstance(name, str):
            name = zipfile.ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6])
            name.compress_type = zipfile.ZIP_DEFLATED
        super().writestr(name, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        data = Path(filename).read_bytes()
        self.writestr(str(arcname or Path(filename).name), data, compress_type, compresslevel)


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
    workbook.properties.created = workbook.properties.modified = FIXED_TIME
    # Not workbook.save(): it resets `modified` to now.
    ExcelWriter(workbook, _FixedTimeZip(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    return path
