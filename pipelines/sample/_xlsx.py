"""Small helpers for writing sample workbooks the way suppliers' spreadsheets look."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl

# A fixed timestamp keeps a regenerated file byte-identical (same sha256: no spurious re-delivery).
FIXED_TIME = datetime(2020, 1, 1)


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
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(_with_fixed_zip_times(buffer.getvalue()))
    return path


def fix_timestamps(path: Path) -> Path:
    """Make a workbook saved by openpyxl elsewhere byte-stable, like `write_workbook`'s."""
    workbook = openpyxl.load_workbook(path)
    workbook.properties.created = workbook.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(_with_fixed_zip_times(buffer.getvalue()))
    return path


def _with_fixed_zip_times(data: bytes) -> bytes:
    """openpyxl stamps the zip members and the core properties with the current time; fix both."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl sets `modified` to now while saving
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2020-01-01T00:00:00Z", content)
            target.writestr(fixed, content)
    return out.getvalue()
