"""The mothers' group questionnaire, before and after a course (source_formats.md section 16).

One row per respondent and wave with Likert items `Q1`…`Qn` (1–5 or empty). The source is aggregate:
respondent ids are pseudonymous, and a CPR-shaped token anywhere rejects the file. A row's score is the
mean of its answered items.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

import polars as pl

from pipelines.delivery.errors import DeliveryRejected
from pipelines.delivery.filenames import FileName
from pipelines.delivery.readers import RawRow, RawTable, fold, read_delimited
from pipelines.parse._persons import described, person_frame, shown
from pipelines.parse.base import (
    AggregateParser,
    ParseContext,
    ParsedDelivery,
    Yields,
    reject_personal_data,
    require_date_in_file,
)

COURSE, AREA, RESPONDENT, WAVE, DATE = "Forløb_id", "Område", "Respondent_id", "Runde", "Dato"
COLUMNS = (COURSE, AREA, RESPONDENT, WAVE, DATE)
WAVES = {"før": "før", "foer": "før", "efter": "efter"}
_ITEM = re.compile(r"^q\d+$", re.IGNORECASE)
SCHEMA: dict[str, pl.DataType] = {
    "course_id": pl.Utf8,
    "area_key": pl.Utf8,
    "respondent_id": pl.Utf8,
    "wave": pl.Utf8,
    "response_date": pl.Date,
    "score": pl.Float64,
    "items_answered": pl.Int64,
    "source_row": pl.Int64,
}


def _required_text(row: RawRow, column: str, table: RawTable) -> str:
    text = " ".join(row[column].split())
    if not text:
        raise DeliveryRejected(table.file_name, "tom celle", f"en udfyldt {column}", row=row.number, column=column)
    return text


def _items(row: RawRow, columns: list[str], table: RawTable) -> list[int]:
    answers = []
    for column in columns:
        text = row[column].strip()
        if not text:
            continue
        if text not in {"1", "2", "3", "4", "5"}:
            raise DeliveryRejected(table.file_name, described(text), "et svar fra 1 til 5 eller tom", row=row.number,
                                   column=column)
        answers.append(int(text))
    return answers


class QuestionnaireParser(AggregateParser):
    source_system = "questionnaire"
    extensions = ("csv",)
    columns = COLUMNS  # and the items Q1, Q2, …
    yields = Yields.ROWS  # one row per respondent and wave; the Likert scores are computed in dbt
    raw_tables: ClassVar[dict[str, dict[str, pl.DataType]]] = {"questionnaire": SCHEMA}

    def parse(self, path: Path, name: FileName, context: ParseContext) -> ParsedDelivery:
        from datetime import datetime

        table = read_delimited(path, COLUMNS)
        reject_personal_data([table])
        item_columns = [c for c in table.columns if _ITEM.match(c)]
        if not item_columns:
            raise DeliveryRejected(path.name, "ingen spørgsmålskolonner", "kolonnerne Q1, Q2, …", row=None,
                                   column="Q1")
        records, seen = [], {}
        for row in table.rows:
            course = _required_text(row, COURSE, table)
            respondent = _required_text(row, RESPONDENT, table)
            area_key = context.areas.resolve(row[AREA], file_name=path.name, row=row.number, column=AREA)
            wave = WAVES.get(fold(row[WAVE]))
            if wave is None:
                raise DeliveryRejected(path.name, described(row[WAVE]), "før eller efter", row=row.number, column=WAVE)
            key = (course, respondent, wave)
            if key in seen:
                raise DeliveryRejected(path.name, f"respondenten står også i række {seen[key]} i samme runde",
                                       "én række pr. forløb, respondent og runde", row=row.number, column=RESPONDENT)
            seen[key] = row.number
            try:
                answered = datetime.strptime(row[DATE].strip(), "%d-%m-%Y").date()
            except ValueError:
                raise DeliveryRejected(path.name, f"{described(row[DATE])} der ikke er en dato", "DD-MM-ÅÅÅÅ",
                                       row=row.number, column=DATE) from None
            require_date_in_file(answered, name, file_name=path.name, row=row.number, column=DATE)
            answers = _items(row, item_columns, table)
            records.append({"course_id": course, "area_key": area_key, "respondent_id": respondent, "wave": wave,
                            "response_date": answered,
                            "score": sum(answers) / len(answers) if answers else None,
                            "items_answered": len(answers), "source_row": row.number})
        warnings = [f"{path.name}: ukendt kolonne {shown(c)} ignoreret" for c in table.unknown_columns
                    if c not in item_columns]
        return ParsedDelivery(person_frame(records, SCHEMA), warnings, table="questionnaire")


PARSER = QuestionnaireParser()
