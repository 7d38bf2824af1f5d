"""Baseline decisions delivered as files (contract rule 3, issue 4).

`inbox/baselines/baselines_<period>_<YYYYMMDD>.csv`, `;`, columns
`criterion_id;area_key;period;value;decided_by;note`: a baseline the documents left open, decided later
(e.g. by the board). It goes through the ledger like any delivery (duplicate, superseded, rejected), but
its rows are not measurements: they feed `int_baselines__delivered`, where they win over the measured value
and the catalog's value.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.delivery.errors import DeliveryRejected
from pipelines.delivery.filenames import FileName
from pipelines.delivery.readers import CellKind, read_delimited
from pipelines.parse.base import (
    AggregateParser,
    Observation,
    ParseContext,
    ParsedDelivery,
    Yields,
    catalog_ids,
    observations_frame,
    reject_personal_data,
    require_number,
    require_period_in_file,
)
from pipelines.periods import parse_period

REQUIRED = ("criterion_id", "area_key", "period", "value")
OPTIONAL = ("decided_by", "note")
DERIVED_AREAS = ("combined", "combined_mean")


class BaselineDecisionsParser(AggregateParser):
    source_system = "baselines"
    extensions = ("csv",)
    columns = REQUIRED
    yields = Yields.BASELINES

    def parse(self, path: Path, name: FileName, context: ParseContext) -> ParsedDelivery:
        table = read_delimited(path, REQUIRED, OPTIONAL, value_columns=("value",))
        reject_personal_data([table])
        known_ids = catalog_ids(context.reference_dir / "criteria.yaml")
        observations = []
        for row in table.rows:
            criterion_id = row["criterion_id"]
            if criterion_id not in known_ids:
                raise DeliveryRejected(path.name, f"ukendt kriterie-id '{criterion_id}'",
                                       "et id fra criteria.yaml", row=row.number, column="criterion_id")
            area_label = row["area_key"]
            area_key = area_label if area_label in DERIVED_AREAS else context.areas.resolve(
                area_label, file_name=path.name, row=row.number, column="area_key")
            try:
                period = parse_period(row["period"])
            except ValueError:
                raise DeliveryRejected(path.name, f"'{row['period']}' er ikke en periode",
                                       "en periode som 2017, 2017Q4 eller 2017/18", row=row.number,
                                       column="period") from None
            require_period_in_file(period, name, file_name=path.name, row=row.number, column="period")
            cell = require_number(row["value"], file_name=path.name, row=row.number, column="value",
                                  expected="et tal (decimalkomma tilladt)", non_negative=False)
            if cell.kind is not CellKind.VALUE:
                raise DeliveryRejected(path.name, f"'{row['value'] or 'tom'}'", "en baselineværdi (et tal)",
                                       row=row.number, column="value")
            decided = " — ".join(part for part in (row["decided_by"], row["note"]) if part)
            observations.append(Observation(criterion_id, area_key, period, cell, "baseline", row.number,
                                            label=decided))
        warnings = [f"{path.name}: ukendt kolonne '{c}' ignoreret" for c in table.unknown_columns]
        return ParsedDelivery(observations_frame(observations), warnings)


PARSER = BaselineDecisionsParser()
