"""UU's education status list: one row per young person and status date (source_formats.md section 9).

The CPR becomes a pseudonym and a birth year, the address an area; persons outside the areas are dropped.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import polars as pl

from pipelines.ingest.filenames import FileName
from pipelines.ingest.parsers._persons import (
    ADDRESS_COLUMNS,
    PersonRows,
    code_list,
    no_cpr_in_errors,
    parse_date,
    person_frame,
    require_date_in_file,
    require_in_set,
    shown,
)
from pipelines.ingest.parsers.base import ParseContext, ParsedDelivery
from pipelines.ingest.readers import read_delimited
from pipelines.privacy.cpr import contains_cpr

CPR, STATUS_DATE, STATUS, EDUCATION = "CPR", "Statusdato", "Status", "Uddannelse"
COLUMNS = (CPR, *ADDRESS_COLUMNS, STATUS_DATE, STATUS, EDUCATION)
STATUSES = code_list("I uddannelse", "Ikke i uddannelse", "I job", "Andet")
SCHEMA: dict[str, pl.DataType] = {
    "person_id": pl.Utf8,
    "birth_year": pl.Int64,
    "area_key": pl.Utf8,
    "status_date": pl.Date,
    "status": pl.Utf8,
    "education": pl.Utf8,
    "source_row": pl.Int64,
}


class UuRegistrationParser:
    source_system = "uu_registration"
    extensions = ("csv",)
    file_types: tuple[str, ...] = ()
    aggregate = False
    raw_tables: ClassVar[dict[str, dict[str, pl.DataType]]] = {"uu_registration": SCHEMA}

    def parse(self, path: Path, name: FileName, context: ParseContext) -> ParsedDelivery:
        with no_cpr_in_errors():
            table = read_delimited(path, COLUMNS)
            rows = PersonRows(table, name, context.reference_dir)
            records = []
            for row in table.rows:
                person_id, birth_year, _ = rows.person(row, CPR)
                status_date = parse_date(row, STATUS_DATE, "%d-%m-%Y", rows)
                require_date_in_file(status_date, row, STATUS_DATE, rows)
                status = require_in_set(row, STATUS, STATUSES, rows)
                education = row[EDUCATION].strip() or None
                if education and contains_cpr(education):
                    raise rows.reject(row, EDUCATION, shown(education), "navnet på en uddannelse")
                area_key = rows.area(row, person_id)
                if area_key is None:
                    continue
                records.append({"person_id": person_id, "birth_year": birth_year, "area_key": area_key,
                                "status_date": status_date, "status": status, "education": education,
                                "source_row": row.number})
            return ParsedDelivery(person_frame(records, SCHEMA), rows.warnings(), table="uu_registration")


PARSER = UuRegistrationParser()
