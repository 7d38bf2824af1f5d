"""What every parser shares: its interface, the observation frame and the aggregate-source CPR rule."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Protocol

import polars as pl

from pipelines.ingest.aliases import AreaResolver
from pipelines.ingest.errors import DeliveryRejected
from pipelines.ingest.filenames import FileName
from pipelines.ingest.readers import Cell, CellKind, RawTable, parse_number, scan_text_cells
from pipelines.periods import Period
from pipelines.privacy.detector import contains_cpr
from pipelines.yaml_text import load_yaml

# The long shape every aggregate source is parsed into; one raw table per source holds it.
OBSERVATION_SCHEMA: dict[str, pl.DataType] = {
    "indicator": pl.Utf8,
    "area_key": pl.Utf8,
    "period": pl.Utf8,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "value": pl.Float64,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "unit": pl.Utf8,
    "suppressed": pl.Boolean,
    "label": pl.Utf8,
    "source_row": pl.Int64,
}


@dataclass
class ParseContext:
    """What a parser may consult besides the file: the area names and the reference folder."""

    areas: AreaResolver
    reference_dir: Path


@dataclass
class ParsedDelivery:
    frame: pl.DataFrame
    warnings: list[str] = field(default_factory=list)
    # The raw table (and GX suite) the frame goes to; None = the source's observation table.
    table: str | None = None


class SourceParser(Protocol):
    source_system: str
    extensions: tuple[str, ...]
    file_types: tuple[str, ...]
    aggregate: bool

    def parse(self, path: Path, name: FileName, context: ParseContext) -> ParsedDelivery: ...


@dataclass(frozen=True)
class Observation:
    indicator: str
    area_key: str
    period: Period
    cell: Cell
    unit: str
    source_row: int
    label: str = ""
    numerator: float | None = None
    denominator: float | None = None

    def as_record(self) -> dict[str, object]:
        return {
            "indicator": self.indicator,
            "area_key": self.area_key,
            "period": self.period.label,
            "period_start": self.period.start,
            "period_end": self.period.end,
            "value": self.cell.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "unit": self.unit,
            "suppressed": self.cell.kind is CellKind.SUPPRESSED,
            "label": self.label,
            "source_row": self.source_row,
        }


def observations_frame(observations: Iterable[Observation]) -> pl.DataFrame:
    """Observations as the typed frame; `-`/empty cells ("not available") produce no row."""
    records = [o.as_record() for o in observations if o.cell.kind is not CellKind.MISSING]
    return pl.DataFrame(records, schema=OBSERVATION_SCHEMA, orient="row") if records else pl.DataFrame(
        schema=OBSERVATION_SCHEMA
    )


@cache
def catalog_ids(catalog_file: Path) -> frozenset[str]:
    """The criterion ids of the catalog a delivery may name (baseline decisions, assessments)."""
    return frozenset(c["id"] for c in load_yaml(catalog_file.read_text(encoding="utf-8"))["criteria"])


def reject_personal_data(tables: Iterable[RawTable], *, extra_cells: Iterable[tuple[int, str, str]] = ()) -> None:
    """An aggregate source must hold no CPR-shaped token. The error names where, never what."""
    for table in tables:
        header_cells = [(None, "overskriftsrækken", column) for column in table.columns]
        for row, column, text in (*header_cells, *scan_text_cells(table), *extra_cells):
            if contains_cpr(text):
                raise DeliveryRejected(
                    table.file_name,
                    "et CPR-lignende tal (personoplysning) i en aggregeret kilde",
                    "ingen personoplysninger; filen er afvist og værdien er ikke gemt",
                    row=row,
                    column=column,
                )


def require_number(text: str, *, file_name: str, row: int, column: str, expected: str,
                   non_negative: bool = True) -> Cell:
    """A numeric cell, or a rejection that says what was found and what was expected."""
    cell = parse_number(text)
    if cell is None:
        raise DeliveryRejected(file_name, f"'{text}' er ikke et tal", expected, row=row, column=column)
    if non_negative and cell.value is not None and cell.value < 0:
        raise DeliveryRejected(file_name, f"negativ værdi {text}", expected, row=row, column=column)
    return cell


def require_period_in_file(period: Period, name: FileName, *, file_name: str, row: int, column: str) -> None:
    """A row's period must lie inside the period the file name states."""
    if period.start < name.first_day or period.end > name.last_day:
        raise DeliveryRejected(
            file_name,
            f"perioden {period.label} ligger uden for filens periode {name.period_token}",
            f"en periode inden for {name.period_token}",
            row=row,
            column=column,
        )


def require_date_in_file(day: date, name: FileName, *, file_name: str, row: int, column: str) -> None:
    if not (name.first_day <= day <= name.last_day):
        raise DeliveryRejected(
            file_name,
            f"datoen {day:%d-%m-%Y} ligger uden for filens periode {name.period_token}",
            f"en dato mellem {name.first_day:%d-%m-%Y} og {name.last_day:%d-%m-%Y}",
            row=row,
            column=column,
        )
