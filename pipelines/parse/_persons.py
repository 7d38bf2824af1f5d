"""What the person-level parsers share (source_formats.md 0.2): CPR → pseudonym, address → area, dates.

A CPR number lives only inside `PersonRows` while a file is parsed: each one is replaced by its
HMAC-SHA256 pseudonym and its birth year at once, and the frame a parser returns holds neither the CPR
nor the address nor the full birth date. Errors name file, row, column and what was expected, never a
value: any cell of a person-level file may hold personal data (a CPR number in a Status cell, a CPR read as
`101871467.0`), so `described` says only whether the cell was empty. Column names of the header are quoted
unless they hold a CPR number.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

import polars as pl

from pipelines.delivery.aliases import canonical_value, unknown_value_hint
from pipelines.delivery.errors import DeliveryRejected
from pipelines.delivery.filenames import FileName
from pipelines.delivery.notices import outside_areas_notice
from pipelines.delivery.readers import RawRow, RawTable, parse_number, read_delimited
from pipelines.delivery.readers_columns import TextTable, read_delimited_columns
from pipelines.parse.base import AreaFigures, Indicator, ParseContext, ParsedDelivery, SourceParser, Yields
from pipelines.privacy.cpr import birth_date, load_key, pseudonymise
from pipelines.privacy.detector import contains_cpr
from pipelines.reference.addresses import AddressBook

STREET, HOUSE_NUMBER, POSTCODE = "Vejnavn", "Husnr", "Postnr"
ADDRESS_COLUMNS = (STREET, HOUSE_NUMBER, POSTCODE)
HIDDEN = "en værdi der ligner et CPR-nummer (vises ikke)"
NOT_SHOWN = "en værdi (vises ikke: filen er personhenførbar)"
PERSON_ID_REGEX = "^[0-9a-f]{64}$"
PersonTable = RawTable | TextTable  # a delivery read as rows, or as columns (readers_columns.py)


def described(text: str) -> str:
    """A data cell of a person-level file as an error may name it: empty or not, never its value."""
    return NOT_SHOWN if text.strip() else "tom"


def shown(text: str) -> str:
    """A header cell as it may appear in a warning: quoted, unless it could be a CPR number."""
    if contains_cpr(text, numeric=True):
        return HIDDEN
    return f"'{text}'" if text else "tom"


class NotWellFormed(Exception):
    """Some row fails a check: the row-wise path parses the file and names the row (`PersonParser.parse`)."""


@contextmanager
def no_cpr_in_errors() -> Iterator[None]:
    """Last line of defence: a rejection whose text holds a CPR-shaped token loses the token."""
    try:
        yield
    except DeliveryRejected as rejection:
        if contains_cpr(rejection.message, numeric=True):
            raise DeliveryRejected(rejection.file_name,
                                   HIDDEN if contains_cpr(rejection.found, numeric=True) else rejection.found,
                                   "en gyldig værdi (se source_formats.md)"
                                   if contains_cpr(rejection.expected, numeric=True)
                                   else rejection.expected, row=rejection.row, column=rejection.column,
                                   gap_type=rejection.gap_type) from None
        raise


class PersonRows:
    """CPR and address handling for one delivery: pseudonyms, birth years, areas and the outside count."""

    def __init__(self, table: RawTable | TextTable, name: FileName, reference_dir: Path) -> None:
        self.table = table
        self.name = name
        self.key = load_key()
        self._keyed = hmac.new(self.key, digestmod=hashlib.sha256)
        self._addresses = AddressBook.from_reference(reference_dir)
        self._persons: dict[str, tuple[str, int, date]] = {}
        self._areas: dict[tuple[str, str, str], str | None] = {}
        self.outside: set[str] = set()
        self.outside_rows = 0
        self._outside_counted = 0  # persons outside counted column-wise, without their pseudonyms
        self._first_rows: dict[object, int] = {}

    def reject(self, row: RawRow | None, column: str | None, found: str, expected: str) -> DeliveryRejected:
        return DeliveryRejected(self.table.file_name, found, expected, row=row.number if row else None,
                                column=column)

    def person(self, row: RawRow, column: str) -> tuple[str, int, date]:
        """(pseudonym, birth year, birth date) of the row's CPR; the date is for checks, never for storing."""
        text = row[column].strip()
        known = self._persons.get(text)
        if known is not None:
            return known
        born = birth_date(text)
        if born is None:
            found = "tomt CPR-nummer" if not text else "et ugyldigt CPR-nummer (værdien vises ikke)"
            raise self.reject(row, column, found, "DDMMÅÅ-SSSS eller DDMMÅÅSSSS med en gyldig dato")
        person = (pseudonymise(text, self.key), born.year, born)
        self._persons[text] = person
        return person

    def keyed_id(self, *parts: str) -> str:
        """An id for a thing (a visit) that only the key holder can link to its parts (HMAC-SHA256, hex)."""
        digest = self._keyed.copy()
        digest.update("\x1f".join(parts).encode("utf-8"))
        return digest.hexdigest()

    def require_once(self, key: object, row: RawRow, column: str, *, who: str, expected: str) -> None:
        """A key (a pupil in a school year, …) may stand in one row only; the error names the other row."""
        first = self._first_rows.setdefault(key, row.number)
        if first != row.number:
            raise self.reject(row, column, f"{who} står også i række {first}", expected)

    def area(self, row: RawRow, person_id: str) -> str | None:
        """The row's area from its address; None (and counted) when the person lives outside the areas."""
        area_key = self.area_of(row[STREET], row[HOUSE_NUMBER], row[POSTCODE])
        if area_key is None:
            self.outside.add(person_id)
            self.outside_rows += 1
        return area_key

    def area_of(self, street: str, house_number: str, postcode: str) -> str | None:
        """The area of an address, or None outside the areas; cached, since an extract repeats its addresses."""
        address = (street, house_number, postcode)
        if address not in self._areas:
            self._areas[address] = self._addresses.area_of(*address)
        return self._areas[address]

    def count_outside(self, *, persons: int, rows: int) -> None:
        self._outside_counted += persons
        self.outside_rows += rows

    def warnings(self) -> list[str]:
        file_name = self.table.file_name
        found = [f"{file_name}: ukendt kolonne {shown(column)} ignoreret" for column in self.table.unknown_columns]
        persons_outside = len(self.outside) + self._outside_counted
        if persons_outside:
            found.append(outside_areas_notice(file_name, persons_outside, self.outside_rows))
        return found


@lru_cache(maxsize=65536)
def _date(text: str, pattern: str) -> date | None:
    """A date in the given pattern, or None; cached, since an extract repeats the same few thousand dates."""
    try:
        return datetime.strptime(text, pattern).date()
    except ValueError:
        return None


def parse_date(row: RawRow, column: str, pattern: str, rows: PersonRows, *, required: bool = True) -> date | None:
    text = row[column].strip()
    if not text and not required:
        return None
    day = _date(text, pattern)
    if day is None:
        shown_pattern = pattern.replace("%d", "DD").replace("%m", "MM").replace("%Y", "ÅÅÅÅ")
        raise rows.reject(row, column, f"{described(text)} der ikke er en dato", shown_pattern)
    return day


def parse_decimal(row: RawRow, column: str, rows: PersonRows, *, minimum: float = 0,
                  check: Callable[[float], bool] | None = None, expected: str = "et tal ≥ 0") -> float:
    text = row[column]
    cell = parse_number(text)
    if cell is None or cell.value is None or cell.value < minimum or (check is not None and not check(cell.value)):
        raise rows.reject(row, column, described(text), expected)
    return float(cell.value)


def require_in_set(row: RawRow, column: str, allowed: dict[str, str], rows: PersonRows) -> str:
    """The canonical spelling of a code from a closed list (case- and space-insensitive)."""
    text = " ".join(canonical_value(column, row[column]).split())
    value = allowed.get(text.casefold())
    if value is None:
        known = sorted(set(allowed.values()))
        # The closest known codes may be named, the cell itself never (it may hold personal data).
        raise rows.reject(row, column, described(text),
                          "en af " + ", ".join(known) + unknown_value_hint(column, None, known, near_to=text))
    return value


def code_list(*codes: str) -> dict[str, str]:
    return {code.casefold(): code for code in codes}


def require_date_in_file(day: date, row: RawRow, column: str, rows: PersonRows) -> None:
    name = rows.name
    if not (name.first_day <= day <= name.last_day):
        raise rows.reject(row, column, f"en dato (vises ikke) uden for filens periode {name.period_token}",
                          f"en dato mellem {name.first_day:%d-%m-%Y} og {name.last_day:%d-%m-%Y}")


def require_file_period(row: RawRow, column: str, rows: PersonRows) -> str:
    """A period column (`Skoleår`, `Kvartal`) must state the file's own period."""
    label = rows.name.periods[0].label
    if row[column].strip().replace(" ", "") != label or len(rows.name.periods) != 1:
        raise rows.reject(row, column, described(row[column]), f"filens periode {label}")
    return label


def person_frame(records: list[dict[str, object]], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(records, schema=schema, orient="row") if records else pl.DataFrame(schema=schema)


class PersonParser(SourceParser):
    """A person-level CSV parsed row by row: each subclass turns one row into one record (None: outside).

    `parse` reads the file, hands every row to `record` with the delivery's `PersonRows`, and returns the
    records as the frame of the raw table `table`. No error leaving it can quote a CPR number.
    """

    source_system: ClassVar[str]
    table: ClassVar[str]
    columns: ClassVar[tuple[str, ...]]
    schema: ClassVar[dict[str, pl.DataType]]
    extensions: ClassVar[tuple[str, ...]] = ("csv",)
    file_types: ClassVar[tuple[str, ...]] = ()
    yields: ClassVar[Yields] = Yields.ROWS
    carries_cpr: ClassVar[bool] = True
    area_figures: ClassVar[AreaFigures] = AreaFigures.COUNTS  # dbt counts persons per area: areas can be pooled
    indicators: ClassVar[Mapping[str, Indicator]] = {}  # computed from the rows in dbt
    sheets: ClassVar[tuple[str, ...]] = ()
    allow_empty: ClassVar[bool] = False
    # What `kpi receive` reads the period from (pipelines/receive): one column of dates or periods, or a
    # start and an end column of an extract of every period overlapping its years.
    period_columns: ClassVar[tuple[str, ...]]
    years_as_columns: ClassVar[bool] = False
    key_values: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    catalog_key_column: ClassVar[str | None] = None

    @property
    def raw_tables(self) -> dict[str, dict[str, pl.DataType]]:
        return {self.table: self.schema}

    @property
    def headers(self) -> dict[str | None, tuple[str, ...]]:
        return {None: self.columns}

    def check_name(self, path: Path, name: FileName) -> None:
        """Reject a file whose name states a period this source is not delivered for (default: any is fine)."""

    def record(self, row: RawRow, rows: PersonRows) -> dict[str, object] | None:
        raise NotImplementedError

    def columns_frame(self, table: PersonTable, rows: PersonRows) -> pl.DataFrame:
        """The frame of a well-formed file, checked column-wise (`_person_columns.PersonColumns`), counting the
        persons outside in `rows`; `NotWellFormed` when any row fails a check."""
        raise NotWellFormed

    def parse(self, path: Path, name: FileName, context: ParseContext) -> ParsedDelivery:
        """Column-wise when every row is well-formed; else row by row, which names the first failing row."""
        return self._parse(path, name, context, by_columns=True)

    def parse_row_by_row(self, path: Path, name: FileName, context: ParseContext) -> ParsedDelivery:
        return self._parse(path, name, context, by_columns=False)

    def parse_by_columns(self, path: Path, name: FileName, context: ParseContext) -> ParsedDelivery:
        """The column-wise path alone: raises `NotWellFormed` where `parse` would go row by row."""
        return self._parse(path, name, context, by_columns=True, fall_back=False)

    def _parse(self, path: Path, name: FileName, context: ParseContext, *, by_columns: bool,
               fall_back: bool = True) -> ParsedDelivery:
        with no_cpr_in_errors():
            self.check_name(path, name)
            table: RawTable | TextTable | None = None
            if by_columns:
                table = self._read_as_columns(path)
                rows = PersonRows(table, name, context.reference_dir)
                try:
                    return ParsedDelivery(self.columns_frame(table, rows), rows.warnings(), table=self.table)
                except (NotWellFormed, pl.exceptions.PolarsError):  # a polars error may quote a cell: not shown
                    if not fall_back:
                        raise
            if not isinstance(table, RawTable):
                table = read_delimited(path, self.columns, allow_empty=self.allow_empty)
            rows = PersonRows(table, name, context.reference_dir)  # afresh: the column-wise path counted
            return ParsedDelivery(self.rows_frame(table, rows), rows.warnings(), table=self.table)

    def _read_as_columns(self, path: Path) -> PersonTable:
        """As columns where the text allows it (readers_columns.py), else as rows."""
        try:
            columns = read_delimited_columns(path, self.columns, allow_empty=self.allow_empty)
        except pl.exceptions.PolarsError:  # not seen in any test; the row reader then decides what the file is
            columns = None
        return columns or read_delimited(path, self.columns, allow_empty=self.allow_empty)

    def rows_frame(self, table: RawTable, rows: PersonRows) -> pl.DataFrame:
        """The frame built row by row: the first row failing a check is rejected with its Danish message."""
        records = []
        for row in table.rows:
            record = self.record(row, rows)
            if record is not None:
                records.append({**record, "source_row": row.number})
        return self.frame(records)

    def frame(self, records: list[dict[str, object]]) -> pl.DataFrame:
        """The records as the raw table's frame; a parser that derives a column across rows does it here."""
        return person_frame(records, self.schema)


def require_period_kind(path: Path, name: FileName, *, separator: str, kind: str, pattern: str) -> None:
    """One school year (`separator` '/') or one quarter ('Q') per file, as the source delivers it."""
    if len(name.periods) != 1 or separator not in name.periods[0].label:
        raise DeliveryRejected(path.name, f"perioden {name.period_token} er ikke {kind}", pattern)
