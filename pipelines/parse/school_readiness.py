"""The UPV result list: one row per pupil and assessment in grades 8 and 9 (source_formats.md section 13).

The CPR becomes a pseudonym, the address an area; pupils living outside the areas are dropped.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipelines.delivery.filenames import FileName
from pipelines.delivery.readers import RawRow
from pipelines.parse._person_columns import PersonColumns
from pipelines.parse._persons import (
    ADDRESS_COLUMNS,
    PersonParser,
    PersonRows,
    PersonTable,
    code_list,
    parse_date,
    require_date_in_file,
    require_file_period,
    require_in_set,
    require_period_kind,
)

SCHOOL_YEAR, PUPIL_CPR, GRADE, DATE, VERDICT = "Skoleår", "Elev_CPR", "Klassetrin", "Vurderingsdato", "Vurdering"
COLUMNS = (SCHOOL_YEAR, PUPIL_CPR, GRADE, *ADDRESS_COLUMNS, DATE, VERDICT)
GRADES = code_list("8", "9")
READY = "Uddannelsesparat"
VERDICTS = code_list(READY, "Ikke uddannelsesparat")
SCHEMA: dict[str, pl.DataType] = {
    "school_year": pl.Utf8,
    "pupil_id": pl.Utf8,
    "grade": pl.Int64,
    "area_key": pl.Utf8,
    "assessment_date": pl.Date,
    "is_ready": pl.Boolean,
    "source_row": pl.Int64,
}



class SchoolReadinessParser(PersonParser):
    source_system = "school_readiness"
    table = "school_readiness"
    columns = COLUMNS
    schema = SCHEMA
    period_columns = (SCHOOL_YEAR,)

    def check_name(self, path: Path, name: FileName) -> None:
        require_period_kind(path, name, separator="/", kind="et skoleår",
                            pattern="ét skoleår pr. fil (school_readiness_ÅÅÅÅ-ÅÅ_…)")

    def record(self, row: RawRow, rows: PersonRows) -> dict[str, object] | None:
        school_year = require_file_period(row, SCHOOL_YEAR, rows)
        pupil_id, _, _ = rows.person(row, PUPIL_CPR)
        grade = int(require_in_set(row, GRADE, GRADES, rows))
        assessed = parse_date(row, DATE, "%d-%m-%Y", rows)
        require_date_in_file(assessed, row, DATE, rows)
        verdict = require_in_set(row, VERDICT, VERDICTS, rows)
        area_key = rows.area(row, pupil_id)
        if area_key is None:
            return None
        return {"school_year": school_year, "pupil_id": pupil_id, "grade": grade, "area_key": area_key,
                "assessment_date": assessed, "is_ready": verdict == READY}

    def columns_frame(self, table: PersonTable, rows: PersonRows) -> pl.DataFrame:
        cells = PersonColumns(table, rows)
        school_years = cells.file_period(SCHOOL_YEAR)
        persons, _ = cells.persons(PUPIL_CPR)
        grades = cells.codes(GRADE, GRADES).cast(pl.Int64)
        assessed = cells.dates(DATE, "%d-%m-%Y")
        cells.dates_in_file(assessed)
        verdicts = cells.codes(VERDICT, VERDICTS)
        return cells.frame_of({"school_year": school_years, "pupil_id": persons, "grade": grades,
                               "assessment_date": assessed, "is_ready": verdicts == READY},
                              cells.areas(persons), self.schema)


PARSER = SchoolReadinessParser()
