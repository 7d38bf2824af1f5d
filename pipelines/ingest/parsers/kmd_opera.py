"""The jobcenter's KMD Opera extract: YDELSE and TILBUD periods per person (source_formats.md section 8).

A full extract of every period that overlaps the file's years. The CPR becomes a pseudonym and a birth
year; the address at Startdato becomes the area, and periods of persons living outside the areas are
dropped (counted in a warning). An empty Slutdato is an open period.
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
    require_in_set,
)
from pipelines.ingest.parsers.base import ParseContext, ParsedDelivery
from pipelines.ingest.readers import read_delimited

CPR, POST_TYPE, CODE, START, END, EXIT = "CPR", "Posttype", "Kode", "Startdato", "Slutdato", "Afgangsårsag"
COLUMNS = (CPR, *ADDRESS_COLUMNS, POST_TYPE, CODE, START, END, EXIT)
DATE_FORMAT = "%d-%m-%Y"
POST_TYPES = code_list("YDELSE", "TILBUD")
CODES = {
    "YDELSE": code_list("Kontanthjælp", "Uddannelseshjælp", "Integrationsydelse", "A-dagpenge", "Sygedagpenge",
                        "Ressourceforløbsydelse", "Jobafklaringsforløb", "Ledighedsydelse"),
    "TILBUD": code_list("Virksomhedspraktik", "Løntilskud privat", "Løntilskud offentlig",
                        "Vejledning og opkvalificering", "Nytteindsats"),
}
EXIT_REASONS = code_list("Selvforsørgelse - job", "Selvforsørgelse - uddannelse", "Overgået til anden ydelse",
                         "Fraflyttet kommunen", "Sygdom", "Andet")
SCHEMA: dict[str, pl.DataType] = {
    "person_id": pl.Utf8,
    "birth_year": pl.Int64,
    "area_key": pl.Utf8,
    "post_type": pl.Utf8,
    "code": pl.Utf8,
    "start_date": pl.Date,
    "end_date": pl.Date,
    "exit_reason": pl.Utf8,
    "source_row": pl.Int64,
}


class KmdOperaParser:
    source_system = "kmd_opera"
    extensions = ("csv",)
    file_types: tuple[str, ...] = ()
    aggregate = False
    raw_tables: ClassVar[dict[str, dict[str, pl.DataType]]] = {"kmd_opera": SCHEMA}

    def parse(self, path: Path, name: FileName, context: ParseContext) -> ParsedDelivery:
        with no_cpr_in_errors():
            table = read_delimited(path, COLUMNS)
            rows = PersonRows(table, name, context.reference_dir)
            records = []
            for row in table.rows:
                person_id, birth_year, _ = rows.person(row, CPR)
                post_type = require_in_set(row, POST_TYPE, POST_TYPES, rows)
                code = require_in_set(row, CODE, CODES[post_type], rows)
                start = parse_date(row, START, DATE_FORMAT, rows)
                end = parse_date(row, END, DATE_FORMAT, rows, required=False)
                if end is not None and end < start:
                    raise rows.reject(row, END, f"slutdatoen {end:%d-%m-%Y} ligger før startdatoen",
                                      "en slutdato på eller efter startdatoen, eller tom (åben periode)")
                if start > name.last_day or (end is not None and end < name.first_day):
                    raise rows.reject(row, START, f"perioden ligger uden for udtrækkets år {name.period_token}",
                                      "en periode der overlapper udtrækkets år")
                exit_reason = None
                if row[EXIT].strip():
                    if post_type != "YDELSE":
                        raise rows.reject(row, EXIT, "en afgangsårsag på et tilbud", "tom for TILBUD")
                    exit_reason = require_in_set(row, EXIT, EXIT_REASONS, rows)
                area_key = rows.area(row, person_id)
                if area_key is None:
                    continue
                records.append({"person_id": person_id, "birth_year": birth_year, "area_key": area_key,
                                "post_type": post_type, "code": code, "start_date": start, "end_date": end,
                                "exit_reason": exit_reason, "source_row": row.number})
            return ParsedDelivery(person_frame(records, SCHEMA), rows.warnings(), table="kmd_opera")


PARSER = KmdOperaParser()
