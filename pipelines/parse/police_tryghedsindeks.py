"""Politiets tryghedsindeks, one workbook per measurement year (source_formats.md section 3).

Sheet `Resultater`, long layout `Område;Indeks;Værdi;Antal besvarelser`. The comparators `Hele landet`
and `Særligt udsatte boligområder (gns.)` are stored as observations of the area keys denmark and
sub_average. The number of respondents is kept as the denominator so the small-cell rule sees it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

from pipelines.delivery.aliases import canonical_value, unknown_value_hint
from pipelines.delivery.errors import DeliveryRejected
from pipelines.delivery.filenames import FileName
from pipelines.delivery.readers import (
    CellKind,
    RawRow,
    RawTable,
    fold,
    read_xlsx_sheet,
    scan_other_sheets,
    xlsx_sheet_names,
)
from pipelines.parse._police import (
    AREA_COLUMN,
    area_rows,
    reject_repeated_cells,
    require_bounded,
    require_count,
    unknown_column_warnings,
)
from pipelines.parse.base import (
    AggregateParser,
    AreaFigures,
    Indicator,
    Observation,
    ParseContext,
    ParsedDelivery,
    observations_frame,
    reject_personal_data,
)
from pipelines.periods import Period

SHEET = "Resultater"
INDEX_COLUMN, VALUE_COLUMN, RESPONDENTS_COLUMN = "Indeks", "Værdi", "Antal besvarelser"
INDICATORS = {
    "Grundlæggende tryghed": "grundlaeggende_tryghed",
    "Nabolagsproblemer": "nabolagsproblemer",
    "Udsathed for kriminalitet": "udsathed_for_kriminalitet",
    "Samlet indeks": "samlet_indeks",
}
_BY_LABEL = {fold(label): code for label, code in INDICATORS.items()}


def _measurement_year(name: FileName, file_name: str) -> Period:
    if len(name.periods) != 1 or not re.fullmatch(r"\d{4}", name.periods[0].label):
        raise DeliveryRejected(file_name, f"perioden {name.period_token} i filnavnet er ikke et måleår",
                               "ét måleår (ÅÅÅÅ) i filnavnet, fx police_tryghedsindeks_2016_20170520.xlsx")
    return name.periods[0]


def _observation(row: RawRow, area_key: str, period: Period, table: RawTable) -> Observation:
    indicator = _BY_LABEL.get(fold(canonical_value(INDEX_COLUMN, row[INDEX_COLUMN])))
    if indicator is None:
        raise DeliveryRejected(table.file_name, f"ukendt indeks '{row[INDEX_COLUMN]}'",
                               "en af " + ", ".join(INDICATORS)
                               + unknown_value_hint(INDEX_COLUMN, row[INDEX_COLUMN], INDICATORS),
                               row=row.number, column=INDEX_COLUMN)
    cell = require_bounded(row[VALUE_COLUMN], table=table, row=row, column=VALUE_COLUMN, upper=100)
    respondents = require_count(row[RESPONDENTS_COLUMN], table=table, row=row, column=RESPONDENTS_COLUMN)
    denominator = respondents.value if respondents.kind is CellKind.VALUE else None
    return Observation(indicator, area_key, period, cell, "index", row.number, row[AREA_COLUMN],
                       denominator=denominator)


class PoliceTryghedsindeksParser(AggregateParser):
    source_system = "police_tryghedsindeks"
    extensions = ("xlsx",)
    columns = (AREA_COLUMN, INDEX_COLUMN, VALUE_COLUMN)
    sheets = (SHEET,)
    area_figures = AreaFigures.INDEX  # an index per area (with its respondents): it cannot be summed or pooled
    indicators: ClassVar[Mapping[str, Indicator]] = {code: Indicator("index") for code in INDICATORS.values()}
    key_values: ClassVar[dict[str, tuple[str, ...]]] = {INDEX_COLUMN: tuple(INDICATORS)}

    def parse(self, path: Path, name: FileName, context: ParseContext) -> ParsedDelivery:
        period = _measurement_year(name, path.name)
        sheets = xlsx_sheet_names(path)
        if SHEET not in sheets:
            raise DeliveryRejected(path.name, f"arket {SHEET} mangler (fandt: {', '.join(sheets) or 'ingen ark'})",
                                   f"en projektmappe med arket {SHEET}")
        table = read_xlsx_sheet(path, SHEET, [AREA_COLUMN, INDEX_COLUMN, VALUE_COLUMN], [RESPONDENTS_COLUMN],
                                value_columns=[VALUE_COLUMN, RESPONDENTS_COLUMN])
        reject_personal_data([table], extra_cells=scan_other_sheets(path, [s for s in sheets if s != SHEET]))
        observations = [_observation(row, area_key, period, table) for row, area_key in area_rows(table, context)]
        reject_repeated_cells(observations, table.file_name)
        warnings = [f"{path.name}: ukendt ark '{s}' ignoreret" for s in sheets if s != SHEET]
        return ParsedDelivery(observations_frame(observations), warnings + unknown_column_warnings(table, path))


PARSER = PoliceTryghedsindeksParser()
