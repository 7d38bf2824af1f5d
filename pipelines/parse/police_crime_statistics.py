"""Police crime statistics for the two SUB areas (source_formats.md section 5): `År;Område;Indikator;Værdi`.

The reoffending share may carry its counts in the optional columns `Tæller` and `Nævner` (as section 15; files
without them stay valid): rule 8 can only check a share by its counts (docs/privacy.d/50-versions-and-metadata.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

from pipelines.delivery.aliases import canonical_value, unknown_value_hint
from pipelines.delivery.errors import DeliveryRejected
from pipelines.delivery.filenames import FileName
from pipelines.delivery.readers import CellKind, RawRow, RawTable, fold
from pipelines.parse._indicator_table import (
    DENOMINATOR,
    NUMERATOR,
    check_share_value,
    reject_counts_beside_a_count,
    share_counts,
)
from pipelines.parse._police import (
    AREA_COLUMN,
    YEAR_COLUMN,
    parse_yearly_csv,
    require_bounded,
    require_count,
)
from pipelines.parse.base import AggregateParser, Indicator, Observation, ParseContext, ParsedDelivery
from pipelines.periods import Period

INDICATOR_COLUMN, VALUE_COLUMN = "Indikator", "Værdi"
UNITS = {
    "unge_massivt_involveret": "count",
    "anmeldt_kriminalitet": "count",
    "domme_15_25": "count",
    "tilbagefald_15_25_pct": "percent",
}


def _observations(row: RawRow, area_key: str, period: Period, table: RawTable) -> list[Observation]:
    indicator = fold(canonical_value(INDICATOR_COLUMN, row[INDICATOR_COLUMN]))
    if indicator not in UNITS:
        raise DeliveryRejected(table.file_name, f"ukendt indikator '{row[INDICATOR_COLUMN]}'",
                               "en af " + ", ".join(UNITS) + unknown_value_hint(INDICATOR_COLUMN, row[INDICATOR_COLUMN],
                                                                                 UNITS), row=row.number,
                               column=INDICATOR_COLUMN)
    unit = UNITS[indicator]
    numerator = denominator = None
    if unit == "percent":
        cell = require_bounded(row[VALUE_COLUMN], table=table, row=row, column=VALUE_COLUMN, upper=100)
        if cell.kind is CellKind.VALUE:
            numerator, denominator = share_counts(row, table.file_name, required=False)
            check_share_value(row, VALUE_COLUMN, cell.value, numerator, denominator, table.file_name)
    else:
        cell = require_count(row[VALUE_COLUMN], table=table, row=row, column=VALUE_COLUMN)
        reject_counts_beside_a_count(row, table.file_name)
    return [Observation(indicator, area_key, period, cell, unit, row.number, row["Område"],
                        numerator=numerator, denominator=denominator)]


class PoliceCrimeStatisticsParser(AggregateParser):
    source_system = "police_crime_statistics"
    extensions = ("csv",)
    columns = (YEAR_COLUMN, AREA_COLUMN, INDICATOR_COLUMN, VALUE_COLUMN)
    indicators: ClassVar[Mapping[str, Indicator]] = {code: Indicator(unit) for code, unit in UNITS.items()}
    period_columns: tuple[str, ...] = ("År",)
    key_values: ClassVar[dict[str, tuple[str, ...]]] = {INDICATOR_COLUMN: tuple(UNITS)}

    def parse(self, path: Path, name: FileName, context: ParseContext) -> ParsedDelivery:
        return parse_yearly_csv(path, name, context, [INDICATOR_COLUMN, VALUE_COLUMN], _observations,
                                value_columns=[VALUE_COLUMN, NUMERATOR, DENOMINATOR], optional=[NUMERATOR, DENOMINATOR])


PARSER = PoliceCrimeStatisticsParser()
