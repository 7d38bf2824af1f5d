"""Police reports of vandalism per area and year (source_formats.md section 4): `År;Område;Anmeldelser af hærværk`."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pipelines.ingest.filenames import FileName
from pipelines.ingest.parsers._police import parse_yearly_csv, require_count
from pipelines.ingest.parsers.base import Observation, ParseContext, ParsedDelivery
from pipelines.ingest.readers import RawRow, RawTable
from pipelines.periods import Period

COUNT_COLUMN = "Anmeldelser af hærværk"
INDICATOR = "anmeldelser_af_haervaerk"


def _observations(row: RawRow, area_key: str, period: Period, table: RawTable) -> list[Observation]:
    cell = require_count(row[COUNT_COLUMN], table=table, row=row, column=COUNT_COLUMN)
    return [Observation(INDICATOR, area_key, period, cell, "count", row.number, row["Område"])]


class PoliceHaervaerkParser:
    source_system = "police_haervaerk"
    extensions = ("csv",)
    file_types: tuple[str, ...] = ()
    aggregate = True
    # What `kpi receive` identifies a file and its period by (pipelines/receive).
    header = ("År", "Område", COUNT_COLUMN)
    sheets: tuple[str, ...] = ()
    period_columns: tuple[str, ...] = ("År",)
    years_as_columns = False
    key_values: ClassVar[dict[str, tuple[str, ...]]] = {}

    def parse(self, path: Path, name: FileName, context: ParseContext) -> ParsedDelivery:
        return parse_yearly_csv(path, name, context, [COUNT_COLUMN], _observations, value_columns=[COUNT_COLUMN])


PARSER = PoliceHaervaerkParser()
