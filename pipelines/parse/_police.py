"""Row handling the police sources share (source_formats.md sections 3-5).

The two police CSV extracts (hærværk, crime statistics) have the shape `År;Område;…`: one row per area
and year, a trailing `I alt` row, note rows and a year that must lie in the file's period. The
tryghedsindeks workbook has the same `Område` column without `År`. What they share lives here once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from pipelines.delivery.errors import DeliveryRejected
from pipelines.delivery.filenames import FileName
from pipelines.delivery.readers import Cell, CellKind, RawRow, RawTable, is_note_label, is_total_label, read_delimited
from pipelines.parse.base import (
    Observation,
    ParseContext,
    ParsedDelivery,
    observations_frame,
    reject_personal_data,
    require_number,
    require_period_in_file,
)
from pipelines.periods import Period, year_period

YEAR_COLUMN = "År"
AREA_COLUMN = "Område"

# Builds the observations of one data row: (row, area_key, period, table) → observations.
RowObservations = Callable[[RawRow, str, Period, RawTable], list[Observation]]


def unknown_column_warnings(table: RawTable, path: Path) -> list[str]:
    return [f"{path.name}: ukendt kolonne '{column}' ignoreret" for column in table.unknown_columns]


def _is_skipped(row: RawRow, columns: Sequence[str]) -> bool:
    """Total rows (`I alt` as area or first cell) and note rows (`Kilde: …`, `Anm.: …`) carry no data."""
    first = next((row[c] for c in columns if row[c]), "")
    return is_total_label(row[AREA_COLUMN]) or is_total_label(first) or is_note_label(first)


def area_rows(table: RawTable, context: ParseContext) -> list[tuple[RawRow, str]]:
    """The data rows with their area key; an unknown area name, or no data row at all, rejects the file."""
    rows = [
        (row, context.areas.resolve(row[AREA_COLUMN], file_name=table.file_name, row=row.number,
                                    column=AREA_COLUMN))
        for row in table.rows
        if not _is_skipped(row, table.columns)
    ]
    if not rows:
        raise DeliveryRejected(table.file_name, "filen har kun total- eller noterækker",
                               "mindst én datarække for et område")
    return rows


def row_year(row: RawRow, name: FileName, table: RawTable) -> Period:
    """The row's `År`, which must be a year inside the period the file name states."""
    text = row[YEAR_COLUMN]
    if not (text.isdigit() and len(text) == 4):
        raise DeliveryRejected(table.file_name, f"'{text}' er ikke et årstal", "et årstal (ÅÅÅÅ)",
                               row=row.number, column=YEAR_COLUMN)
    period = year_period(int(text))
    require_period_in_file(period, name, file_name=table.file_name, row=row.number, column=YEAR_COLUMN)
    return period


def require_count(text: str, *, table: RawTable, row: RawRow, column: str) -> Cell:
    """A whole number ≥ 0, `.`/`..` (suppressed) or `-`/empty (not available)."""
    expected = "et helt tal ≥ 0, '.'/'..' (diskretioneret) eller '-' (ikke opgjort)"
    cell = require_number(text, file_name=table.file_name, row=row.number, column=column, expected=expected)
    if cell.kind is CellKind.VALUE and not float(cell.value).is_integer():
        raise DeliveryRejected(table.file_name, f"'{text}' er ikke et helt tal", expected, row=row.number,
                               column=column)
    return cell


def require_bounded(text: str, *, table: RawTable, row: RawRow, column: str, upper: float) -> Cell:
    """A number between 0 and `upper` (decimal comma allowed), suppressed or not available."""
    expected = f"et tal mellem 0 og {upper:g}, '.'/'..' (diskretioneret) eller '-' (ikke opgjort)"
    cell = require_number(text, file_name=table.file_name, row=row.number, column=column, expected=expected)
    if cell.kind is CellKind.VALUE and cell.value > upper:
        raise DeliveryRejected(table.file_name, f"værdien {text} er større end {upper:g}", expected,
                               row=row.number, column=column)
    return cell


def reject_repeated_cells(observations: list[Observation], file_name: str, *, column: str = AREA_COLUMN) -> None:
    """One value per indicator, area and period: a repeated row would make the loaded value a matter of chance."""
    seen: dict[tuple[str, str, str], int] = {}
    for o in observations:
        key = (o.indicator, o.area_key, o.period.label)
        if key in seen:
            found = f"{o.label}, {o.indicator}, {o.period.label} står også i række {seen[key]}"
            raise DeliveryRejected(file_name, found, "én række pr. område, indikator og år", row=o.source_row,
                                   column=column)
        seen[key] = o.source_row


def parse_yearly_csv(path: Path, name: FileName, context: ParseContext, columns: Sequence[str],
                     row_observations: RowObservations, *, value_columns: Sequence[str],
                     optional: Sequence[str] = ()) -> ParsedDelivery:
    """A `År;Område;…` police extract: read, CPR scan, one call of `row_observations` per data row.

    `columns` are the required columns after `År;Område`, `optional` the columns a file may add; rows below the
    data with empty `value_columns` are notes.
    """
    table = read_delimited(path, [YEAR_COLUMN, AREA_COLUMN, *columns], optional, value_columns=value_columns)
    reject_personal_data([table])
    observations: list[Observation] = []
    for row, area_key in area_rows(table, context):
        observations += row_observations(row, area_key, row_year(row, name, table), table)
    reject_repeated_cells(observations, table.file_name)
    return ParsedDelivery(observations_frame(observations), unknown_column_warnings(table, path))
