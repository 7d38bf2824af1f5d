"""The jobcenter's KMD Opera extract: YDELSE and TILBUD periods per person (source_formats.md section 8).

A full extract of every period that overlaps the file's years. The CPR becomes a pseudonym and a birth
year; the address at Startdato becomes the area, and periods of persons living outside the areas are
dropped (counted in a warning). An empty Slutdato is an open period.

The address itself is not kept, but section 8 breaks a tie between benefit rows that end a spell on the same
day by (Afgangsårsag, Vejnavn, Husnr, Postnr). So each YDELSE row gets `end_tie_rank`: its place among the
person's YDELSE rows in the file with the same Slutdato (or both open), in that order (see `tie_order`); rows
equal in all four share a rank. The rank depends only on the rows' content, never on their order in the file.
"""

from __future__ import annotations

import polars as pl

from pipelines.delivery.readers import RawRow
from pipelines.parse._person_columns import PersonColumns, require
from pipelines.parse._persons import (
    ADDRESS_COLUMNS,
    HOUSE_NUMBER,
    POSTCODE,
    STREET,
    PersonParser,
    PersonRows,
    PersonTable,
    code_list,
    parse_date,
    person_frame,
    require_in_set,
)

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
    "end_tie_rank": pl.Int64,
    "source_row": pl.Int64,
}
TIE_SEPARATOR = "\x00"  # below every character a cell can hold: a file with a NUL is rejected when read
TIE_ORDER = "tie_order"  # a record's sort key for `end_tie_rank`, dropped before the frame is built


def tie_order(exit_reason: str | None, street: str, house_number: str, postcode: str) -> tuple[str, ...]:
    """(Afgangsårsag, Vejnavn, Husnr, Postnr) as compared: text in Unicode code-point order, case and spacing
    ignored, an empty Afgangsårsag as empty text (so before every reason)."""
    return (exit_reason or "", *(" ".join(text.split()).casefold() for text in (street, house_number, postcode)))


def with_end_tie_ranks(records: list[dict[str, object]]) -> list[dict[str, object]]:
    """Each YDELSE record with its dense rank by `tie_order` among the person's rows ending the same day."""
    groups: dict[tuple[object, object], set[tuple[str, ...]]] = {}
    for record in records:
        if record["post_type"] == "YDELSE":
            groups.setdefault((record["person_id"], record["end_date"]), set()).add(record[TIE_ORDER])
    ranks = {group: {order: rank for rank, order in enumerate(sorted(orders), start=1)}
             for group, orders in groups.items()}
    return [{**record, "end_tie_rank": ranks[(record["person_id"], record["end_date"])][record[TIE_ORDER]]
             if record["post_type"] == "YDELSE" else None} for record in records]


class KmdOperaParser(PersonParser):
    source_system = "kmd_opera"
    table = "kmd_opera"
    columns = COLUMNS
    schema = SCHEMA
    period_columns = (START, END)

    def record(self, row: RawRow, rows: PersonRows) -> dict[str, object] | None:
        name = rows.name
        person_id, birth_year, _ = rows.person(row, CPR)
        post_type = require_in_set(row, POST_TYPE, POST_TYPES, rows)
        code = require_in_set(row, CODE, CODES[post_type], rows)
        start = parse_date(row, START, DATE_FORMAT, rows)
        end = parse_date(row, END, DATE_FORMAT, rows, required=False)
        if end is not None and end < start:
            raise rows.reject(row, END, "slutdatoen ligger før startdatoen",
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
            return None
        return {"person_id": person_id, "birth_year": birth_year, "area_key": area_key, "post_type": post_type,
                "code": code, "start_date": start, "end_date": end, "exit_reason": exit_reason,
                TIE_ORDER: tie_order(exit_reason, row[STREET], row[HOUSE_NUMBER], row[POSTCODE])}

    def frame(self, records: list[dict[str, object]]) -> pl.DataFrame:
        return person_frame(with_end_tie_ranks(records), self.schema)

    def columns_frame(self, table: PersonTable, rows: PersonRows) -> pl.DataFrame:
        cells = PersonColumns(table, rows)
        name = cells.name
        persons, born = cells.persons(CPR)
        post_types = cells.codes(POST_TYPE, POST_TYPES)
        codes = cells.codes(CODE, CODES.__getitem__, post_types)
        starts = cells.dates(START, DATE_FORMAT)
        ends = cells.dates(END, DATE_FORMAT, required=False)
        require(ends.is_null() | (ends >= starts))
        require((starts <= name.last_day) & (ends.is_null() | (ends >= name.first_day)))
        has_exit = cells.text(EXIT).str.strip_chars() != ""
        require(~has_exit | (post_types == "YDELSE"))
        exit_reasons = cells.codes(EXIT, EXIT_REASONS, optional=True)
        ties = cells.each([exit_reasons, STREET, HOUSE_NUMBER, POSTCODE],
                          lambda *parts: TIE_SEPARATOR.join(tie_order(*parts)), pl.Utf8)
        frame = cells.frame_of({"person_id": persons, "birth_year": born.dt.year(), "post_type": post_types,
                                "code": codes, "start_date": starts, "end_date": ends, "exit_reason": exit_reasons,
                                "end_tie_rank": pl.Series([None] * len(cells), dtype=pl.Int64), TIE_ORDER: ties},
                               cells.areas(persons), {**self.schema, TIE_ORDER: pl.Utf8})
        # `with_end_tie_ranks` column-wise: the joined text sorts as the tuple does (no cell holds a NUL).
        benefit = pl.col("post_type") == "YDELSE"
        rank = pl.col(TIE_ORDER).rank("dense").over("person_id", "end_date", benefit)
        return frame.with_columns(end_tie_rank=pl.when(benefit).then(rank).cast(pl.Int64)).select(list(self.schema))


PARSER = KmdOperaParser()
