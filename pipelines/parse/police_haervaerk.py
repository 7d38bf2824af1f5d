"""Police reports of vandalism per area and year (source_formats.md section 4): `År;Område;Anmeldelser af hærværk`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

from pipelines.delivery.filenames import FileName
from pipelines.delivery.readers import RawRow, RawTable
from pipelines.parse._police import AREA_COLUMN, YEAR_COLUMN, parse_yearly_csv, require_count
from pipelines.parse.base import AggregateParser, Indicator, Observation, ParseContext, ParsedDelivery
from pipelines.periods import Period

COUNT_COLUMN = "Anmeldelser af hærværk"
INDICATOR = "anmeldelser_af_haervaerk"


def _observations(row: RawRow, area_key: str, period: Period, table: RawTable) -> list[Observation]:
    cell = require_count(row[COUNT_COLUMN], table=table, row=row, column=COUNT_COLUMN)
    return [Observation(INDICATOR, area_key, period, cell, "count", row.number, row["Område"])]


class PoliceHaervaerkParser(AggregateParser):
    source_system = "police_haervaerk"
    extensions = ("csv",)
    columns = (YEAR_COLUMN, AREA_COLUMN, COUNT_COLUMN)
    indicators: ClassVar[Mapping[str, Indicator]] = {INDICATOR: Indicator("count")}

    def parse(self, path: Path, name: FileName, context: ParseContext) -> ParsedDelivery:
        return parse_yearly_csv(path, name, context, [COUNT_COLUMN], _observations, value_columns=[COUNT_COLUMN])


PARSER = PoliceHaervaerkParser()
