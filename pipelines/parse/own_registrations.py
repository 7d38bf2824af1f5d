"""The programme's own quarterly registrations (source_formats.md section 14): one workbook per quarter.

Sheet `Registrering`, `Aktivitet | Indikator | Område | Antal | Bemærkning`; `Område` is an area or
`Samlet` (combined). The indicator codes and whether each is a flow (summed over the quarters of a year)
or a stock/share (the Q4 value) are the dbt seed `quarterly_indicators.csv`: one list for parser and
models. `*_pct` codes are percentages 0-100, every other code a whole count. A share may carry its counts in
the optional columns `Tæller` and `Nævner` (as in section 15; older workbooks without them stay valid): rule 8 can
only check a share by its counts (docs/privacy.d/50-versions-and-metadata.md).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

from pipelines.delivery.errors import DeliveryRejected
from pipelines.delivery.filenames import FileName
from pipelines.delivery.readers import (
    CellKind,
    RawRow,
    RawTable,
    is_note_label,
    is_total_label,
    located_in_cells,
    read_xlsx_sheet,
    scan_other_sheets,
    xlsx_sheet_names,
)
from pipelines.parse._indicator_table import (
    DENOMINATOR,
    NUMERATOR,
    check_share_value,
    reject_counts_beside_a_count,
    share_counts,
)
from pipelines.parse._police import (
    reject_repeated_cells,
    require_bounded,
    require_count,
    unknown_column_warnings,
)
from pipelines.parse.base import (
    AggregateParser,
    Indicator,
    Observation,
    ParseContext,
    ParsedDelivery,
    observations_frame,
    reject_personal_data,
)
from pipelines.periods import Period
from pipelines.settings import DBT_PROJECT_DIR

SOURCE_SYSTEM = "own_registrations"
SHEET = "Registrering"
ACTIVITY, INDICATOR, AREA, COUNT, REMARK = "Aktivitet", "Indikator", "Område", "Antal", "Bemærkning"
DESCRIPTION = "Beskrivelse"  # the indicator's Danish text in a filled template; not read
INSTRUCTION_SHEET = "Vejledning"  # the template's instruction sheet: scanned for CPR, never warned about
QUARTERLY_INDICATORS_SEED = DBT_PROJECT_DIR / "seeds" / "quarterly_indicators.csv"


def _seed_indicators(seed: Path = QUARTERLY_INDICATORS_SEED) -> dict[str, Indicator]:
    """The seed's codes of this source: a `last` rollup is a stock (the quarter's status), `_pct` a share."""
    with seed.open(encoding="utf-8", newline="") as handle:
        return {row["indicator"]: Indicator("percent" if row["indicator"].endswith("_pct") else "count",
                                            stock=row["rollup"] == "last")
                for row in csv.DictReader(handle) if row["source_system"] == SOURCE_SYSTEM}


def _is_skipped(row: RawRow) -> bool:
    return is_total_label(row[ACTIVITY]) or is_note_label(row[ACTIVITY]) or not (row[INDICATOR] or row[AREA])


class OwnRegistrationsParser(AggregateParser):
    source_system = SOURCE_SYSTEM
    extensions = ("xlsx",)
    columns = (ACTIVITY, INDICATOR, AREA, COUNT)
    sheets = (SHEET,)
    indicators: ClassVar[Mapping[str, Indicator]] = _seed_indicators()  # one list with dbt: the seed

    def parse(self, path: Path, name: FileName, context: ParseContext) -> ParsedDelivery:
        if len(name.periods) != 1 or "Q" not in name.periods[0].label:
            raise DeliveryRejected(path.name, f"perioden {name.period_token} er ikke et kvartal",
                                   "én projektmappe pr. kvartal (own_registrations_ÅÅÅÅQn_…)")
        quarter = name.periods[0]
        sheets = xlsx_sheet_names(path)
        if SHEET not in sheets:
            raise DeliveryRejected(path.name, f"arket {SHEET} mangler (fandt: {', '.join(sheets) or 'ingen ark'})",
                                   f"et ark med navnet {SHEET}")
        table = read_xlsx_sheet(path, SHEET, [ACTIVITY, INDICATOR, AREA, COUNT],
                                [REMARK, NUMERATOR, DENOMINATOR, DESCRIPTION],
                                value_columns=[COUNT, NUMERATOR, DENOMINATOR])
        reject_personal_data([table], extra_cells=scan_other_sheets(path, [s for s in sheets if s != SHEET]))
        with located_in_cells(table):
            observations = _observations(table, quarter, context)
        if not observations:
            raise DeliveryRejected(path.name, "arket har kun total- eller noterækker", "mindst én registrering")
        reject_repeated_cells(observations, path.name)
        warnings = unknown_column_warnings(table, path)
        warnings += [f"{path.name}: ukendt ark '{s}' ignoreret" for s in sheets if s not in (SHEET, INSTRUCTION_SHEET)]
        return ParsedDelivery(observations_frame(observations), warnings)


def indicator_codes() -> tuple[str, ...]:
    """The codes this source accepts, in the seed's order: the parser's declared indicators."""
    return tuple(OwnRegistrationsParser.indicators)


def _observations(table: RawTable, quarter: Period, context: ParseContext) -> list[Observation]:
    path = Path(table.file_name)
    codes = indicator_codes()
    observations = []
    for row in table.rows:
        if _is_skipped(row):
            continue
        code = row[INDICATOR]
        if code not in codes:
            raise DeliveryRejected(path.name, f"ukendt indikator '{code}'", "en af koderne: " + ", ".join(codes),
                                   row=row.number, column=INDICATOR)
        area_key = context.areas.resolve(row[AREA], file_name=path.name, row=row.number, column=AREA)
        numerator = denominator = None
        if code.endswith("_pct"):
            cell = require_bounded(row[COUNT], table=table, row=row, column=COUNT, upper=100)
            unit = "percent"
            if cell.kind is CellKind.VALUE:
                numerator, denominator = share_counts(row, path.name, required=False)
                check_share_value(row, COUNT, cell.value, numerator, denominator, path.name)
        else:
            cell = require_count(row[COUNT], table=table, row=row, column=COUNT)
            unit = "count"
            reject_counts_beside_a_count(row, path.name)
        observations.append(Observation(code, area_key, quarter, cell, unit, row.number,
                                        row[REMARK] or row[ACTIVITY], numerator=numerator, denominator=denominator))
    return observations


PARSER = OwnRegistrationsParser()
