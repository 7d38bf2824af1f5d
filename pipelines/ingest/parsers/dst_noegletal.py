"""Danmarks Statistik StatBank download for the four areas (source_formats.md section 2).

`OMRÅDE;NØGLETAL;TID;INDHOLD`, one row per cell; `..` is confidential (suppressed). The key figures are
the ministry's SUB-list criteria, so they feed the vision_sub_crit_* entries and give comparators
(Slagelse Kommune, Hele landet).
"""

from __future__ import annotations

from pathlib import Path

from pipelines.ingest.errors import DeliveryRejected
from pipelines.ingest.filenames import FileName
from pipelines.ingest.parsers._police import reject_repeated_cells, unknown_column_warnings
from pipelines.ingest.parsers.base import (
    Observation,
    ParseContext,
    ParsedDelivery,
    observations_frame,
    reject_personal_data,
    require_number,
    require_period_in_file,
)
from pipelines.ingest.readers import fold, is_note_label, is_total_label, read_delimited
from pipelines.periods import year_period

AREA, KEY_FIGURE, TIME, CONTENT = "OMRÅDE", "NØGLETAL", "TID", "INDHOLD"
KEY_FIGURES: dict[str, tuple[str, str]] = {  # NØGLETAL as DST writes it → (indicator, unit)
    "Gennemsnitlig bruttoindkomst 15-64 år": ("gennemsnitlig_bruttoindkomst_15_64", "dkk"),
    "Andel ikke-vestlige indvandrere og efterkommere": ("andel_ikke_vestlige", "percent"),
    "Andel 18-64 årige uden tilknytning": ("andel_18_64_uden_tilknytning", "percent"),
    "Andel 30-59 årige kun grundskole": ("andel_30_59_kun_grundskole", "percent"),
    "Kriminalretlige afgørelser pr. 1000 beboere": ("kriminalretlige_afgoerelser_pr_1000", "rate_per_1000"),
}
_BY_FOLDED_NAME = {fold(name): figure for name, figure in KEY_FIGURES.items()}


class DstNoegletalParser:
    source_system = "dst_noegletal"
    extensions = ("csv",)
    file_types: tuple[str, ...] = ()
    aggregate = True

    def parse(self, path: Path, name: FileName, context: ParseContext) -> ParsedDelivery:
        table = read_delimited(path, (AREA, KEY_FIGURE, TIME, CONTENT))
        reject_personal_data([table])
        observations = []
        for row in table.rows:
            if is_total_label(row[AREA]) or is_note_label(row[AREA]):
                continue
            area_key = context.areas.resolve(row[AREA], file_name=path.name, row=row.number, column=AREA)
            key_figure = _BY_FOLDED_NAME.get(fold(row[KEY_FIGURE]))
            if key_figure is None:
                raise DeliveryRejected(path.name, f"ukendt nøgletal '{row[KEY_FIGURE]}'",
                                       "et af nøgletallene: " + "; ".join(KEY_FIGURES), row=row.number,
                                       column=KEY_FIGURE)
            if not (row[TIME].isdigit() and len(row[TIME]) == 4):
                raise DeliveryRejected(path.name, f"'{row[TIME]}' er ikke et årstal", "et årstal (ÅÅÅÅ)",
                                       row=row.number, column=TIME)
            period = year_period(int(row[TIME]))
            require_period_in_file(period, name, file_name=path.name, row=row.number, column=TIME)
            cell = require_number(row[CONTENT], file_name=path.name, row=row.number, column=CONTENT,
                                  expected="et tal ≥ 0 (decimalkomma), '..' (fortroligt) eller '-'")
            indicator, unit = key_figure
            observations.append(Observation(indicator, area_key, period, cell, unit, row.number, row[AREA]))
        if not observations:
            raise DeliveryRejected(path.name, "filen har kun total- eller noterækker", "mindst én række for et område")
        reject_repeated_cells(observations, path.name, column=AREA)
        return ParsedDelivery(observations_frame(observations), unknown_column_warnings(table, path))


PARSER = DstNoegletalParser()
