"""The column-wise path of the person-level parsers: the well-formed file checked and hashed as whole columns.

`PersonParser.parse` first hands the table its reader made to the parser's `columns_frame`, which checks
every column at once and raises `NotWellFormed` as soon as any row fails any check; the file is then parsed
again row by row (`PersonParser.rows_frame`), which names the first failing row in Danish exactly as before.
So this path never rejects anything itself and never shows a message: it only has to accept exactly the files
the row-wise path accepts, and produce the same frame and warnings for them.

Cells are converted once per distinct value (a date column repeats a few thousand dates, a code list a
handful of codes) with the row-wise path's own functions (`parse_date`, `require_in_set` on the one cell,
`parse_number`), so the conversions are the same by construction, also when those functions change. CPR
shape and date (the century rule), ranges, cross-column rules, duplicates and cross-row ranks are polars
expressions. The CPR numbers stay inside this object like inside `PersonRows`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import polars as pl

from pipelines.delivery.errors import DeliveryRejected
from pipelines.delivery.readers import ROW_COLUMN, RawRow, RawTable, parse_number
from pipelines.delivery.readers_columns import TextTable
from pipelines.parse._persons import (
    HOUSE_NUMBER,
    POSTCODE,
    STREET,
    NotWellFormed,
    PersonRows,
    parse_date,
    require_file_period,
    require_in_set,
)
from pipelines.privacy.cpr import pseudonymiser

# DDMMYY-SSSS or DDMMYYSSSS in ASCII digits (`_STRICT_CPR` of pipelines/privacy/cpr.py); the 7th digit is kept.
CPR_SHAPE = r"^([0-9]{2})([0-9]{2})([0-9]{2})-?([0-9])[0-9]{3}$"
_RESULT = "_result"
# The name of a column of normalised CPR numbers (`persons`): `frame_of` replaces it by the pseudonyms of the
# rows it keeps, so persons outside the areas are counted but never hashed.
CPR_KEY = "_cpr"
_INDEX = "_index"


def require(ok: pl.Series) -> None:
    """Every row passes the check `ok` states (a null counts as a failure)."""
    if ok.len() and not ok.fill_null(False).all():
        raise NotWellFormed


def century(year_2: pl.Expr, seventh_digit: pl.Expr) -> pl.Expr:
    """`pipelines.privacy.detector.century` as an expression: CPR-kontoret's rule."""
    return (pl.when(seventh_digit <= 3).then(1900)
            .when(seventh_digit.is_in([4, 9])).then(pl.when(year_2 <= 36).then(2000).otherwise(1900))
            .otherwise(pl.when(year_2 <= 57).then(2000).otherwise(1800)))


def cpr_birth_dates(cells: pl.Series) -> pl.Series:
    """The birth date each CPR cell states (`pipelines.privacy.cpr.birth_date`), null where it states none."""
    parts = cells.str.extract_groups(CPR_SHAPE).struct.unnest().cast(pl.Int32)
    parts.columns = ["day", "month", "year_2", "seventh"]
    day, month, year_2 = pl.col("day"), pl.col("month"), pl.col("year_2")
    year = century(year_2, pl.col("seventh")) + year_2
    first_of_month = pl.date(year, month.clip(1, 12), 1)
    last_day = first_of_month.dt.month_end().dt.day()
    real = month.is_between(1, 12) & day.is_between(1, last_day)
    born = pl.when(real).then(pl.date(year, month.clip(1, 12), day.clip(1, last_day)))
    return parts.select(born.alias("born"))["born"]


def per_distinct(keys: pl.DataFrame, convert: Callable[..., object], dtype: pl.DataType) -> pl.Series:
    """`convert` of each row's values, called once per distinct row of `keys`."""
    keys = keys.rename({column: f"_{i}" for i, column in enumerate(keys.columns)})
    distinct = keys.unique()
    results = pl.Series(_RESULT, [convert(*values) for values in distinct.iter_rows()], dtype=dtype)
    joined = keys.join(distinct.with_columns(results), on=keys.columns, how="left", maintain_order="left",
                       nulls_equal=True)
    return joined[_RESULT]


class PersonColumns:
    """The delivery's table as columns of text, with the checks and conversions of `PersonRows` column-wise."""

    def __init__(self, table: RawTable | TextTable, rows: PersonRows) -> None:
        self.rows = rows
        self.name = rows.name
        if isinstance(table, TextTable):
            self.frame = table.frame
        else:
            text = {column: pl.Utf8 for column in table.columns}
            self.frame = pl.from_dicts([row.cells for row in table.rows], schema=text).with_columns(
                pl.Series(ROW_COLUMN, [row.number for row in table.rows], pl.Int64))
        self.source_rows = self.frame[ROW_COLUMN]

    def __len__(self) -> int:
        return self.frame.height

    def text(self, column: str) -> pl.Series:
        return self.frame[column] if column in self.frame.columns else pl.Series(column, [""] * len(self), pl.Utf8)

    def each(self, columns: Sequence[str | pl.Series], convert: Callable[..., object], dtype: pl.DataType,
             ) -> pl.Series:
        """`convert` of each row's cells, called once per distinct combination; it raises `NotWellFormed`."""
        return per_distinct(pl.DataFrame([(self.text(c) if isinstance(c, str) else c).alias(f"_{i}")
                                           for i, c in enumerate(columns)]), convert, dtype)

    def persons(self, column: str) -> tuple[pl.Series, pl.Series]:
        """(person, birth date) of each row's CPR: the person is the normalised CPR (`CPR_KEY`), which
        `frame_of` turns into the pseudonym; the date is for checks, never for storing."""
        cells = self.text(column)
        born = cpr_birth_dates(cells)
        require(born.is_not_null())
        return cells.str.replace("-", "", literal=True).alias(CPR_KEY), born

    def dates(self, column: str, pattern: str, *, required: bool = True) -> pl.Series:
        def convert(text: str) -> date | None:
            try:
                return parse_date(RawRow(0, {column: text}), column, pattern, self.rows, required=required)
            except DeliveryRejected:
                raise NotWellFormed from None

        return self.each([column], convert, pl.Date)

    def codes(self, column: str, allowed: dict[str, str] | Callable[..., dict[str, str]],
              *depends_on: pl.Series, optional: bool = False) -> pl.Series:
        """The canonical spelling of each code (`require_in_set`); `allowed` may depend on other columns, and an
        `optional` column's empty cells are null."""
        def convert(text: str, *others: object) -> str | None:
            if optional and not text.strip():
                return None
            codes = allowed(*others) if callable(allowed) else allowed
            try:
                return require_in_set(RawRow(0, {column: text}), column, codes, self.rows)
            except DeliveryRejected:
                raise NotWellFormed from None

        return self.each([column, *depends_on], convert, pl.Utf8)

    def numbers(self, column: str) -> pl.Series:
        """Each cell as a number (`parse_decimal` before its range checks)."""
        def convert(text: str) -> float:
            cell = parse_number(text)
            if cell is None or cell.value is None:
                raise NotWellFormed
            return float(cell.value)

        return self.each([column], convert, pl.Float64)

    def checked(self, column: str, is_fine: Callable[[str], bool]) -> None:
        """Every cell passes `is_fine` (free text without a CPR number, the file's own period)."""
        def convert(text: str) -> bool:
            if not is_fine(text):
                raise NotWellFormed
            return True

        self.each([column], convert, pl.Boolean)

    def file_period(self, column: str) -> pl.Series:
        """The file's own period label in every row (`require_file_period`)."""
        def convert(text: str) -> str:
            try:
                return require_file_period(RawRow(0, {column: text}), column, self.rows)
            except DeliveryRejected:
                raise NotWellFormed from None

        return self.each([column], convert, pl.Utf8)

    def dates_in_file(self, days: pl.Series) -> None:
        """Every date lies within the file's period (`require_date_in_file`)."""
        require(days.is_between(self.name.first_day, self.name.last_day))

    def once(self, keys: pl.Series) -> None:
        """A key stands in one row only (`PersonRows.require_once`)."""
        require(~keys.is_duplicated())

    def areas(self, persons: pl.Series) -> pl.Series:
        """Each row's area (null outside), counting the persons and rows outside as `PersonRows.area` does."""
        areas = self.each([STREET, HOUSE_NUMBER, POSTCODE], self.rows.area_of, pl.Utf8)
        outside = areas.is_null()
        self.rows.count_outside(persons=persons.filter(outside).n_unique(), rows=int(outside.sum()))
        return areas

    def frame_of(self, columns: dict[str, pl.Series], areas: pl.Series,
                 schema: dict[str, pl.DataType]) -> pl.DataFrame:
        """The rows inside the areas as the raw table's frame (`source_row` their line in the file)."""
        data = pl.DataFrame({**columns, "area_key": areas, "source_row": self.source_rows})
        inside = data.filter(pl.col("area_key").is_not_null())
        pseudonym = pseudonymiser(self.rows.key)
        inside = inside.with_columns(per_distinct(inside.select(column), pseudonym, pl.Utf8).alias(column)
                                     for column, series in columns.items() if series.name == CPR_KEY)
        return inside.select(pl.col(column).cast(dtype) for column, dtype in schema.items())
