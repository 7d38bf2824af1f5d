"""Sundhedsplejen's Novax visit extract: one row per child and visit (source_formats.md section 10).

The child's CPR becomes a pseudonym; of the birth date only the year is kept (the cohort). Of a visit only
its quarter and a keyed visit id are kept (docs/privacy.d/30-internal-tables.md): the exact visit date, with
the child's age at it, would give the birth date. The visit id (HMAC of child, type and date under the
pseudonymisation key) lets the same visit in two extracts count once without the date. The area is the
address at birth; children living outside the areas are dropped. `Fødselsdato` must agree with the DDMMYY
of the CPR number; the century is taken from `Fødselsdato` (the example of section 10 has a 7th digit that
says 1918).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from pipelines.delivery.readers import RawRow
from pipelines.parse._person_columns import PersonColumns, per_distinct, require
from pipelines.parse._persons import (
    ADDRESS_COLUMNS,
    PersonParser,
    PersonRows,
    PersonTable,
    code_list,
    parse_date,
    require_date_in_file,
    require_in_set,
)

CHILD_CPR, BIRTH_DATE, VISIT_TYPE, VISIT_DATE, STATUS = "Barn_CPR", "Fødselsdato", "Besøgstype", "Besøgsdato", "Status"
COLUMNS = (CHILD_CPR, BIRTH_DATE, *ADDRESS_COLUMNS, VISIT_TYPE, VISIT_DATE, STATUS)
DATE_FORMAT = "%d.%m.%Y"
VISIT_TYPES = code_list("Graviditetsbesøg", "Barselsbesøg", "2-3 mdr besøg", "4-6 mdr besøg", "8-10 mdr besøg",
                        "Ekstra behovsbesøg 6 mdr", "Ekstra behovsbesøg 18 mdr", "3-års besøg", "Mødregruppe")
STATUSES = code_list("Gennemført", "Aflyst", "Udeblevet")
PREGNANCY_DAYS = 300  # a pregnancy visit may lie this long before the birth
SCHEMA: dict[str, pl.DataType] = {
    "child_id": pl.Utf8,
    "birth_year": pl.Int64,
    "area_key": pl.Utf8,
    "visit_type": pl.Utf8,
    "visit_key": pl.Utf8,
    "visit_quarter": pl.Date,  # the first day of the visit's quarter
    "visit_status": pl.Utf8,
    "source_row": pl.Int64,
}



class NovaxParser(PersonParser):
    source_system = "novax"
    table = "novax"
    columns = COLUMNS
    schema = SCHEMA
    period_columns = (VISIT_DATE,)

    def record(self, row: RawRow, rows: PersonRows) -> dict[str, object] | None:
        child_id, _, cpr_date = rows.person(row, CHILD_CPR)
        born = parse_date(row, BIRTH_DATE, DATE_FORMAT, rows)
        if (born.day, born.month, born.year % 100) != (cpr_date.day, cpr_date.month, cpr_date.year % 100):
            raise rows.reject(row, BIRTH_DATE, "fødselsdatoen passer ikke med CPR-nummeret (vises ikke)",
                              "barnets fødselsdato som i CPR-nummeret")
        visit_type = require_in_set(row, VISIT_TYPE, VISIT_TYPES, rows)
        visit_date = parse_date(row, VISIT_DATE, DATE_FORMAT, rows)
        require_date_in_file(visit_date, row, VISIT_DATE, rows)
        age_days = (visit_date - born).days
        if age_days < -PREGNANCY_DAYS or (age_days < 0 and visit_type != "Graviditetsbesøg"):
            raise rows.reject(row, VISIT_DATE, "besøget ligger før barnets fødsel",
                              "en besøgsdato efter fødslen (graviditetsbesøg: højst 300 dage før)")
        status = require_in_set(row, STATUS, STATUSES, rows)
        area_key = rows.area(row, child_id)
        if area_key is None:
            return None
        return {"child_id": child_id, "birth_year": born.year, "area_key": area_key, "visit_type": visit_type,
                "visit_key": rows.keyed_id("novax-visit", child_id, visit_type, visit_date.isoformat()),
                "visit_quarter": quarter_start(visit_date), "visit_status": status}

    def columns_frame(self, table: PersonTable, rows: PersonRows) -> pl.DataFrame:
        cells = PersonColumns(table, rows)
        persons, cpr_dates = cells.persons(CHILD_CPR)
        born = cells.dates(BIRTH_DATE, DATE_FORMAT)
        require((born.dt.day() == cpr_dates.dt.day()) & (born.dt.month() == cpr_dates.dt.month())
                & (born.dt.year() % 100 == cpr_dates.dt.year() % 100))
        visit_types = cells.codes(VISIT_TYPE, VISIT_TYPES)
        visit_dates = cells.dates(VISIT_DATE, DATE_FORMAT)
        cells.dates_in_file(visit_dates)
        age_days = (visit_dates - born).dt.total_days()
        require((age_days >= -PREGNANCY_DAYS) & ((age_days >= 0) | (visit_types == "Graviditetsbesøg")))
        statuses = cells.codes(STATUS, STATUSES)
        no_keys = pl.Series([None] * len(cells), dtype=pl.Utf8)  # keyed below, for the rows inside only
        inside = cells.frame_of({"child_id": persons, "birth_year": born.dt.year(), "visit_type": visit_types,
                                 "visit_key": no_keys, "visit_quarter": visit_dates.dt.truncate("1q"),
                                 "visit_status": statuses, VISIT_DATE: visit_dates},
                                cells.areas(persons), {**self.schema, VISIT_DATE: pl.Date})
        visit_keys = per_distinct(
            inside.select("child_id", "visit_type", pl.col(VISIT_DATE).dt.to_string("%Y-%m-%d")),
            lambda child_id, visit_type, day: cells.rows.keyed_id("novax-visit", child_id, visit_type, day), pl.Utf8)
        return inside.with_columns(visit_key=visit_keys).select(list(self.schema))


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


PARSER = NovaxParser()
