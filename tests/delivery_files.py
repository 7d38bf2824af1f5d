"""Sample deliveries as editable rows, written back in their own format (for the cross-source parser tests).

A CSV keeps its encoding (BOM, UTF-8 or Windows-1252) and line ends; a workbook keeps its sheets and cell
types. Editing happens on the rows; `write` saves the result under another folder with the same file name.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from pipelines.sample._xlsx import write_workbook
from pipelines.settings import REPO_ROOT

SAMPLE_INBOX = REPO_ROOT / "sources" / "sample" / "inbox"
Rows = list[list[object]]


def sample_files() -> list[tuple[str, Path]]:
    """(source_system, path) of every committed sample delivery: what `make demo` loads."""
    return [(folder.name, path) for folder in sorted(SAMPLE_INBOX.iterdir()) if folder.is_dir()
            for path in sorted(folder.iterdir()) if path.is_file()]


@dataclass(frozen=True)
class Delivery:
    name: str
    sheets: dict[str, Rows]  # a CSV has one sheet named ""
    encoding: str = ""  # CSV only: utf-8-sig | utf-8 | cp1252
    line_end: str = "\r\n"

    @property
    def is_workbook(self) -> bool:
        return self.name.endswith(".xlsx")

    def edited(self, edit: Callable[[Rows], Rows]) -> Delivery:
        """The same delivery with `edit` applied to the rows of every sheet."""
        return replace(self, sheets={sheet: edit([list(r) for r in rows]) for sheet, rows in self.sheets.items()})

    def shortened(self, max_rows: int, *, tail: int = 5) -> Delivery:
        """At most `max_rows` rows per sheet: the first ones (titles, header, data) and the last `tail` (totals,
        notes). Keeps the property tests fast on person-level extracts of thousands of rows."""
        return self.edited(lambda rows: rows if len(rows) <= max_rows else rows[:max_rows - tail] + rows[-tail:])

    def write(self, folder: Path, *, encoding: str | None = None) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / self.name
        if self.is_workbook:
            return write_workbook(path, self.sheets)
        text = "".join(";".join(_csv_cell(c) for c in row) + self.line_end for row in self.sheets[""])
        path.write_bytes(text.encode(encoding or self.encoding))
        return path


def read_delivery(path: Path) -> Delivery:
    if path.suffix == ".xlsx":
        import openpyxl

        workbook = openpyxl.load_workbook(path)
        sheets = {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook}
        return Delivery(path.name, sheets)
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        encoding, text = "utf-8-sig", data[3:].decode("utf-8")
    else:
        try:
            encoding, text = "utf-8", data.decode("utf-8")
        except UnicodeDecodeError:
            encoding, text = "cp1252", data.decode("cp1252")
    rows: Rows = [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=";")]
    return Delivery(path.name, {"": rows}, encoding, "\r\n" if "\r\n" in text else "\n")


def _csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ';"\r\n') else text
