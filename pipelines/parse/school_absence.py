"""Pupil absence per school year and the quarterly dropout list (source_formats.md sections 11 and 12).

Two file types in one inbox: `school_absence_<YYYY-YY>_…` (one row per pupil and school year: school days
and absence days by kind, half days allowed) and `school_absence_dropout_<YYYYQn>_…` (the pupils on the
quarter's dropout list). The CPR becomes a pseudonym (and, for the school year, a birth year), the
address an area; pupils living outside the areas are dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

import polars as pl

from pipelines.delivery.filenames import FileName
from pipelines.delivery.readers import RawRow
from pipelines.parse._person_columns import PersonColumns, require
from pipelines.parse._persons import (
    ADDRESS_COLUMNS,
    HIDDEN,
    PersonParser,
    PersonRows,
    PersonTable,
    parse_decimal,
    require_file_period,
    require_period_kind,
)
from pipelines.parse.base import (
    AreaFigures,
    Indicator,
    ParseContext,
    ParsedDelivery,
    SourceParser,
    Yields,
)
from pipelines.privacy.detector import contains_cpr

SCHOOL_YEAR, PUPIL_CPR, SCHOOL, GRADE, SCHOOL_DAYS = "Skoleår", "Elev_CPR", "Skole", "Klassetrin", "Skoledage"
SICK, LAWFUL, UNLAWFUL = "Fravær sygdom", "Fravær lovligt", "Fravær ulovligt"
QUARTER, ABSENCE_PCT = "Kvartal", "Fraværsprocent"
YEAR_COLUMNS = (SCHOOL_YEAR, PUPIL_CPR, SCHOOL, GRADE, *ADDRESS_COLUMNS, SCHOOL_DAYS, SICK, LAWFUL, UNLAWFUL)
DROPOUT_COLUMNS = (QUARTER, PUPIL_CPR, *ADDRESS_COLUMNS, SCHOOL, ABSENCE_PCT)
DROPOUT = "dropout"
PUPIL_YEAR_SCHEMA: dict[str, pl.DataType] = {
    "school_year": pl.Utf8,
    "pupil_id": pl.Utf8,
    "area_key": pl.Utf8,
    "school_days": pl.Int64,
    "absence_sick_days": pl.Float64,
    "absence_lawful_days": pl.Float64,
    "absence_unlawful_days": pl.Float64,
    "source_row": pl.Int64,
}
DROPOUT_SCHEMA: dict[str, pl.DataType] = {
    "quarter": pl.Utf8,
    "pupil_id": pl.Utf8,
    "area_key": pl.Utf8,
    "source_row": pl.Int64,
}


def _school(row: RawRow, rows: PersonRows) -> str:
    text = " ".join(row[SCHOOL].split())
    if not _is_school(text):
        raise rows.reject(row, SCHOOL, HIDDEN if text else "tom", "skolens navn")
    return text


def _is_school(text: str) -> bool:
    text = " ".join(text.split())
    return bool(text) and not contains_cpr(text)


def _whole(row: RawRow, column: str, rows: PersonRows, low: int, high: int) -> int:
    expected = f"et helt tal fra {low} til {high}"
    value = parse_decimal(row, column, rows, minimum=low, check=lambda v: v.is_integer() and v <= high,
                          expected=expected)
    return int(value)


def _half_days(row: RawRow, column: str, rows: PersonRows) -> float:
    return parse_decimal(row, column, rows, check=lambda v: (v * 2).is_integer(),
                         expected="dage ≥ 0 i hele eller halve dage (f.eks. 2,5)")


class PupilYears(PersonParser):
    source_system = "school_absence"
    table = "school_absence"
    columns = YEAR_COLUMNS
    schema = PUPIL_YEAR_SCHEMA
    period_columns = (SCHOOL_YEAR,)

    def check_name(self, path: Path, name: FileName) -> None:
        require_period_kind(path, name, separator="/", kind="et skoleår",
                            pattern="ét skoleår pr. fil (school_absence_ÅÅÅÅ-ÅÅ_…)")

    def record(self, row: RawRow, rows: PersonRows) -> dict[str, object] | None:
        school_year = require_file_period(row, SCHOOL_YEAR, rows)
        pupil_id, _, _ = rows.person(row, PUPIL_CPR)
        rows.require_once(pupil_id, row, PUPIL_CPR, who="eleven", expected="én række pr. elev og skoleår")
        _school(row, rows)  # checked, not stored: no measure needs the school, grade or birth year
        _whole(row, GRADE, rows, 0, 10)
        school_days = _whole(row, SCHOOL_DAYS, rows, 1, 366)
        sick, lawful, unlawful = (_half_days(row, column, rows) for column in (SICK, LAWFUL, UNLAWFUL))
        if sick + lawful + unlawful > school_days:
            raise rows.reject(row, SICK, "flere fraværsdage end skoledage", "fravær i alt ≤ skoledage")
        area_key = rows.area(row, pupil_id)
        if area_key is None:
            return None
        return {"school_year": school_year, "pupil_id": pupil_id, "area_key": area_key, "school_days": school_days,
                "absence_sick_days": sick, "absence_lawful_days": lawful, "absence_unlawful_days": unlawful}

    def columns_frame(self, table: PersonTable, rows: PersonRows) -> pl.DataFrame:
        cells = PersonColumns(table, rows)
        school_years = cells.file_period(SCHOOL_YEAR)
        persons, _ = cells.persons(PUPIL_CPR)
        cells.once(persons)
        cells.checked(SCHOOL, _is_school)
        _whole_numbers(cells, GRADE, 0, 10)
        school_days = _whole_numbers(cells, SCHOOL_DAYS, 1, 366)
        sick, lawful, unlawful = (_half_day_numbers(cells, column) for column in (SICK, LAWFUL, UNLAWFUL))
        require(sick + lawful + unlawful <= school_days)
        return cells.frame_of({"school_year": school_years, "pupil_id": persons, "school_days": school_days,
                               "absence_sick_days": sick, "absence_lawful_days": lawful,
                               "absence_unlawful_days": unlawful}, cells.areas(persons), self.schema)


class DropoutList(PersonParser):
    source_system = "school_absence"
    table = "school_absence_dropout"
    columns = DROPOUT_COLUMNS
    schema = DROPOUT_SCHEMA
    period_columns = (QUARTER,)
    allow_empty = True  # a quarter with nobody on the list

    def check_name(self, path: Path, name: FileName) -> None:
        require_period_kind(path, name, separator="Q", kind="et kvartal",
                            pattern="ét kvartal pr. fil (school_absence_dropout_ÅÅÅÅQn_…)")

    def record(self, row: RawRow, rows: PersonRows) -> dict[str, object] | None:
        quarter = require_file_period(row, QUARTER, rows)
        pupil_id, _, _ = rows.person(row, PUPIL_CPR)
        rows.require_once(pupil_id, row, PUPIL_CPR, who="eleven", expected="én række pr. elev og kvartal")
        _school(row, rows)  # checked, not stored: the list's measure counts pupils only
        parse_decimal(row, ABSENCE_PCT, rows, check=lambda v: v <= 100, expected="en procent mellem 0 og 100")
        area_key = rows.area(row, pupil_id)
        if area_key is None:
            return None
        return {"quarter": quarter, "pupil_id": pupil_id, "area_key": area_key}

    def columns_frame(self, table: PersonTable, rows: PersonRows) -> pl.DataFrame:
        cells = PersonColumns(table, rows)
        quarters = cells.file_period(QUARTER)
        persons, _ = cells.persons(PUPIL_CPR)
        cells.once(persons)
        cells.checked(SCHOOL, _is_school)
        require(cells.numbers(ABSENCE_PCT).is_between(0, 100))
        return cells.frame_of({"quarter": quarters, "pupil_id": persons}, cells.areas(persons), self.schema)


def _whole_numbers(cells: PersonColumns, column: str, low: int, high: int) -> pl.Series:
    """`_whole` column-wise."""
    values = cells.numbers(column)
    require(values.is_between(low, high) & (values == values.floor()))
    return values


def _half_day_numbers(cells: PersonColumns, column: str) -> pl.Series:
    """`_half_days` column-wise."""
    values = cells.numbers(column)
    require((values >= 0) & (values * 2 == (values * 2).floor()))
    return values


class SchoolAbsenceParser(SourceParser):
    """One inbox, two file types: the school-year file and the quarter's dropout list."""

    source_system = "school_absence"
    extensions = ("csv",)
    file_types: tuple[str, ...] = (DROPOUT,)
    yields = Yields.ROWS
    carries_cpr = True
    area_figures = AreaFigures.COUNTS
    indicators: ClassVar[Mapping[str, Indicator]] = {}
    sheets: tuple[str, ...] = ()
    _parsers: ClassVar[dict[str | None, PersonParser]] = {None: PupilYears(), DROPOUT: DropoutList()}
    raw_tables: ClassVar[dict[str, dict[str, pl.DataType]]] = {
        parser.table: parser.schema for parser in _parsers.values()}
    headers: ClassVar[dict[str | None, tuple[str, ...]]] = {
        file_type: parser.columns for file_type, parser in _parsers.items()}
    period_columns: ClassVar[tuple[str, ...]] = ()  # each file type's parser states its own
    years_as_columns: ClassVar[bool] = False
    key_values: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    catalog_key_column: ClassVar[str | None] = None

    @property
    def file_type_parsers(self) -> Mapping[str | None, SourceParser]:
        return self._parsers

    def parse(self, path: Path, name: FileName, context: ParseContext) -> ParsedDelivery:
        return self._parsers[name.file_type].parse(path, name, context)


PARSER = SchoolAbsenceParser()
