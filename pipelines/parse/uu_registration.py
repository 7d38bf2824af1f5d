"""UU's education status list: one row per young person and status date (source_formats.md section 9).

The CPR becomes a pseudonym and a birth year, the address an area; persons outside the areas are dropped.
`Uddannelse` is free text that no measure reads: it is checked for CPR numbers (a hit rejects the file) and
not stored (docs/privacy.d/30-internal-tables.md).
"""

from __future__ import annotations

import polars as pl

from pipelines.delivery.readers import RawRow
from pipelines.parse._person_columns import PersonColumns
from pipelines.parse._persons import (
    ADDRESS_COLUMNS,
    HIDDEN,
    PersonParser,
    PersonRows,
    PersonTable,
    code_list,
    parse_date,
    require_date_in_file,
    require_in_set,
)
from pipelines.privacy.detector import contains_cpr

CPR, STATUS_DATE, STATUS, EDUCATION = "CPR", "Statusdato", "Status", "Uddannelse"
COLUMNS = (CPR, *ADDRESS_COLUMNS, STATUS_DATE, STATUS, EDUCATION)
STATUSES = code_list("I uddannelse", "Ikke i uddannelse", "I job", "Andet")
SCHEMA: dict[str, pl.DataType] = {
    "person_id": pl.Utf8,
    "birth_year": pl.Int64,
    "area_key": pl.Utf8,
    "status_date": pl.Date,
    "status": pl.Utf8,
    "source_row": pl.Int64,
}



class UuRegistrationParser(PersonParser):
    source_system = "uu_registration"
    table = "uu_registration"
    columns = COLUMNS
    schema = SCHEMA
    period_columns = (STATUS_DATE,)

    def record(self, row: RawRow, rows: PersonRows) -> dict[str, object] | None:
        person_id, birth_year, _ = rows.person(row, CPR)
        status_date = parse_date(row, STATUS_DATE, "%d-%m-%Y", rows)
        require_date_in_file(status_date, row, STATUS_DATE, rows)
        status = require_in_set(row, STATUS, STATUSES, rows)
        if contains_cpr(row[EDUCATION]):
            raise rows.reject(row, EDUCATION, HIDDEN, "navnet på en uddannelse")
        area_key = rows.area(row, person_id)
        if area_key is None:
            return None
        return {"person_id": person_id, "birth_year": birth_year, "area_key": area_key, "status_date": status_date,
                "status": status}

    def columns_frame(self, table: PersonTable, rows: PersonRows) -> pl.DataFrame:
        cells = PersonColumns(table, rows)
        persons, born = cells.persons(CPR)
        status_dates = cells.dates(STATUS_DATE, "%d-%m-%Y")
        cells.dates_in_file(status_dates)
        statuses = cells.codes(STATUS, STATUSES)
        cells.checked(EDUCATION, lambda text: not contains_cpr(text))
        return cells.frame_of({"person_id": persons, "birth_year": born.dt.year(), "status_date": status_dates,
                               "status": statuses}, cells.areas(persons), self.schema)


PARSER = UuRegistrationParser()
