"""Baselines decided after the catalog was written, delivered as files (contract rule 3).

`sources/inbox/baselines/*.csv` (`;`, UTF-8, columns criterion_id;area_key;period;value;decided_by;note)
are loaded into `raw.baseline_deliveries`. The table is always (re)created, empty when nothing was
delivered, so dbt sees the same shape on every run. A delivered baseline wins over the measured value
and the catalog value (int_kpi__evaluation_grid); kpi_baselines shows which one was used.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import polars as pl

from pipelines.ingest.errors import DeliveryRejected
from pipelines.ingest.readers import CellKind, parse_number

COLUMNS = ("criterion_id", "area_key", "period", "value", "decided_by", "note")
SCHEMA = {"criterion_id": pl.Utf8, "area_key": pl.Utf8, "period": pl.Utf8, "value": pl.Float64,
          "decided_by": pl.Utf8, "note": pl.Utf8, "source_file": pl.Utf8}


def read_baseline_file(path: Path) -> list[dict[str, object]]:
    """The rows of one baseline file; a missing column or a value that is not a number is rejected."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=";")
        header = [h.strip() for h in reader.fieldnames or []]
        missing = [c for c in COLUMNS[:4] if c not in header]
        if missing:
            raise DeliveryRejected(path.name, ";".join(header) or "tom fil", ";".join(COLUMNS), row=1,
                                   column=missing[0])
        rows = []
        for line, record in enumerate(reader, start=2):
            record = {k.strip(): (v or "").strip() for k, v in record.items() if k}
            if not any(record.values()):
                continue
            cell = parse_number(record["value"])
            if cell is None or cell.kind is not CellKind.VALUE or not record["criterion_id"] or not record["area_key"]:
                raise DeliveryRejected(path.name, record["value"] or "tom", "et tal (decimalkomma tilladt)",
                                       row=line, column="value")
            rows.append({"criterion_id": record["criterion_id"], "area_key": record["area_key"],
                         "period": record["period"], "value": cell.value,
                         "decided_by": record.get("decided_by") or None, "note": record.get("note") or None,
                         "source_file": path.name})
        return rows


def baseline_deliveries(inbox_dir: Path) -> pl.DataFrame:
    files = sorted(inbox_dir.glob("*.csv")) if inbox_dir.is_dir() else []
    return pl.DataFrame([row for path in files for row in read_baseline_file(path)], schema=SCHEMA)


def load_baseline_deliveries(con: duckdb.DuckDBPyConnection, inbox_dir: Path) -> int:
    """Replace raw.baseline_deliveries with every file in `inbox_dir`; returns the number of rows loaded."""
    frame = baseline_deliveries(inbox_dir)
    con.execute("create schema if not exists raw")
    con.register("baseline_frame", frame.to_arrow())
    try:
        con.execute("create or replace table raw.baseline_deliveries as select * from baseline_frame")
    finally:
        con.unregister("baseline_frame")
    return frame.height
