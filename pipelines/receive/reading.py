"""The one place receiving reads a file: its rows as text, per sheet of a workbook (adapter over the readers).

Everything else in pipelines/receive works on `Grid`, so switching to other readers changes this module only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipelines.delivery import readers
from pipelines.delivery.errors import DeliveryRejected
from pipelines.delivery.filenames import WORKBOOK_EXTENSIONS

Rows = list[tuple[int, list[str]]]


class Unreadable(Exception):
    """The file cannot be read as text or as a workbook; the message is Danish."""


@dataclass(frozen=True)
class Grid:
    """A file's cells: one table (CSV, sheet None) or one per sheet of a workbook, in the workbook's order."""

    extension: str
    sheets: dict[str | None, Rows]

    @property
    def is_workbook(self) -> bool:
        return self.extension in WORKBOOK_EXTENSIONS


def extension_of(path: Path) -> str:
    return path.suffix.lower().lstrip(".")


def read_grid(path: Path) -> Grid:
    try:
        return Grid(extension_of(path), {sheet: list(rows) for sheet, rows in readers.rows_per_sheet(path).items()})
    except DeliveryRejected as rejection:
        raise Unreadable(f"filen kan ikke læses: {rejection.found}") from None
