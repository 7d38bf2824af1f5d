"""What every parser shares: its interface, the observation frame and the aggregate-source CPR rule."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import ClassVar

import polars as pl

from pipelines.delivery.aliases import AreaResolver
from pipelines.delivery.errors import DeliveryRejected
from pipelines.delivery.filenames import FileName
from pipelines.delivery.readers import Cell, CellKind, RawTable, parse_number, scan_text_cells
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


class Yields(StrEnum):
    """What kind of rows a parser's frame holds, and so where the build loads them and what dbt reads."""

    MEASUREMENTS = "measurements"  # observations of measured indicators (OBSERVATION_SCHEMA) → raw.<source>
    ASSESSMENTS = "assessments"  # verdicts on criteria, in the observation shape → raw.<source>
    BASELINES = "baselines"  # baseline decisions, in the observation shape → raw.<source>
    ROWS = "rows"  # one record per person or respondent → the parser's own `raw_tables`


class AreaFigures(StrEnum):
    """What a source delivers per area (pipelines/load/source_figures.py says what each kind implies)."""

    COUNTS = "counts"  # counts, or shares with their counts: areas can be pooled or summed
    SHARES = "shares"  # shares or rates only: areas cannot be pooled
    INDEX = "index"  # an index per area: cannot be summed or pooled
    VERDICTS = "verdicts"  # verdicts per area and for the areas together


@dataclass(frozen=True)
class Indicator:
    """One indicator code a parser fixes: its unit, and whether it is a stock that may be dated."""

    unit: str  # count | percent
    stock: bool = False


class SourceParser(ABC):
    """Everything the build, the catalog, the templates and delivery identification read from a parser.

    Every attribute annotated here is declared by every parser, as a class attribute or a dataclass field;
    `check_declaration` (run by the registry for every parser) fails on a missing or ill-typed one, so no
    reader needs a default. `aggregate` and `rows_are_persons` are derived from the declared facts.
    """

    source_system: str  # the inbox folder and the file-name prefix
    extensions: tuple[str, ...]  # file extensions accepted, without the dot
    file_types: tuple[str, ...]  # file-type tokens after the source name (`school_absence_dropout_…`); () = one
    yields: Yields
    # ROWS: raw table → its columns (the raw tables and GX suites named after them); else {} (raw.<source_system>)
    raw_tables: Mapping[str, Mapping[str, pl.DataType]]
    carries_cpr: bool  # person level: CPR numbers arrive and are pseudonymised; False = a CPR rejects the file
    area_figures: AreaFigures
    # indicator codes the parser itself fixes (code → unit); {} where the codes come from the file's own
    # indicator list elsewhere (catalog, seed) or the rows are computed into indicators in dbt
    indicators: Mapping[str, Indicator]
    # file type (None: the plain file) → the header cells a file must have; () where no header row is read
    # by name (a layout found by shape)
    headers: Mapping[str | None, tuple[str, ...]]
    sheets: tuple[str, ...]  # the workbook sheets read (first one: where a template puts its rows); () for CSV
    # Where identification by content (pipelines/receive) reads a file's period: columns holding dates or
    # periods (a start and an end column for an extract of periods), or the years heading the value columns
    period_columns: tuple[str, ...]
    years_as_columns: bool
    key_values: Mapping[str, tuple[str, ...]]  # column → its closed list of values
    # a column whose allowed values are the catalog's criterion ids of this source (assessments); else None
    catalog_key_column: str | None

    @property
    def file_type_parsers(self) -> Mapping[str | None, SourceParser]:
        """File type → the parser of files of that type; a source with one file type parses them all itself."""
        return {None: self}

    @abstractmethod
    def parse(self, path: Path, name: FileName, context: ParseContext) -> ParsedDelivery: ...

    @property
    def aggregate(self) -> bool:
        """An aggregate source: no CPR may arrive (the opposite of `carries_cpr`)."""
        return not self.carries_cpr

    @property
    def rows_are_persons(self) -> bool:
        """The frame's rows are persons or respondents: a file's row count counts persons (rule 8)."""
        return self.yields is Yields.ROWS


DECLARED: tuple[str, ...] = tuple(name for name in SourceParser.__annotations__)
_DECLARED_TYPES: dict[str, type | tuple[type, ...]] = {
    "source_system": str, "extensions": tuple, "file_types": tuple, "yields": Yields, "raw_tables": Mapping,
    "carries_cpr": bool, "area_figures": AreaFigures, "indicators": Mapping, "headers": Mapping, "sheets": tuple,
    "period_columns": tuple, "years_as_columns": bool, "key_values": Mapping, "catalog_key_column": (str, type(None)),
}


def check_declaration(parser: object) -> None:
    """Fail when a parser leaves out part of the interface or declares facts that contradict each other."""
    what = type(parser).__name__
    if not isinstance(parser, SourceParser):
        raise TypeError(f"{what} is not a SourceParser")
    missing = [name for name in DECLARED if not hasattr(parser, name)]
    if missing:
        raise TypeError(f"{what} does not declare {', '.join(missing)}")
    for name, kind in _DECLARED_TYPES.items():
        if not isinstance(getattr(parser, name), kind):
            raise TypeError(f"{what}.{name} = {getattr(parser, name)!r} is not a {kind}")
    if bool(parser.raw_tables) != (parser.yields is Yields.ROWS):
        raise TypeError(f"{what}: raw_tables are declared exactly when the parser yields rows")
    if parser.carries_cpr and parser.yields is not Yields.ROWS:
        raise TypeError(f"{what}: a source that carries CPR yields rows (pseudonymised), not figures")
    if set(parser.headers) != {None, *parser.file_types}:
        raise TypeError(f"{what}: headers are declared for the plain file and each of {parser.file_types}")


class AggregateParser(SourceParser):
    """A source of figures read by one header row: what most parsers are. A subclass states its
    `source_system`, `extensions`, `columns` (the required header) and whatever else differs."""

    columns: ClassVar[tuple[str, ...]]
    file_types: ClassVar[tuple[str, ...]] = ()
    yields: ClassVar[Yields] = Yields.MEASUREMENTS
    raw_tables: ClassVar[Mapping[str, Mapping[str, pl.DataType]]] = {}
    carries_cpr: ClassVar[bool] = False
    area_figures: ClassVar[AreaFigures] = AreaFigures.COUNTS
    indicators: ClassVar[Mapping[str, Indicator]] = {}
    sheets: ClassVar[tuple[str, ...]] = ()
    period_columns: ClassVar[tuple[str, ...]] = ()
    years_as_columns: ClassVar[bool] = False
    key_values: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    catalog_key_column: ClassVar[str | None] = None

    @property
    def headers(self) -> Mapping[str | None, tuple[str, ...]]:
        return {None: self.columns}


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
