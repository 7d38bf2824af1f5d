"""The delivery calendar (`reference/delivery_calendar.csv`): who delivers each source, how often, by when.

The one table of per-source delivery facts. One row per source system: the supplier (a Danish name or
role), the frequency in words, the deadline rule in words and as an offset after the period's end
(months, days), how many months apart deliveries are expected (`interval_maaneder`), how many months after
the period's end its figure is published (`udgivet_efter_maaneder`), whether the row is an assumption and
its basis. It is loaded into `raw.catalog_delivery_calendar` at every build: `data_gaps.supplier`/`due_date`
and `kpi gaps` read the supplier and deadline; the evaluation grid reads the interval and the publication
lag (a period is `not_due` until period_end + lag; a source whose newest figure is older than interval + lag
allows is `stale`).

The deadline (when the supplier owes the file) and the publication lag (when the period counts as due in the
evaluation) are the same for most sources but not all: own registrations are owed 15 days after the quarter
and evaluated a month after it.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # polars only where a frame is made: the reference check of every run reads rows alone
    import duckdb
    import polars as pl

CALENDAR_FILE = "delivery_calendar.csv"
COLUMNS = {  # Danish header in the file → column in the warehouse
    "kildesystem": "source_system",
    "leverandoer": "supplier",
    "frekvens": "frequency",
    "fristregel": "deadline_rule",
    "frist_maaneder": "deadline_months",
    "frist_dage": "deadline_days",
    "interval_maaneder": "expected_every_months",
    "udgivet_efter_maaneder": "publication_lag_months",
    "antaget": "is_assumed",
    "grundlag": "basis",
}
SCHEMA = {"source_system": "Utf8", "supplier": "Utf8", "frequency": "Utf8", "deadline_rule": "Utf8",
          "deadline_months": "Int64", "deadline_days": "Int64", "expected_every_months": "Int64",
          "publication_lag_months": "Int64", "is_assumed": "Boolean", "basis": "Utf8"}  # polars dtype names
WHOLE_NUMBER_COLUMNS = ("frist_maaneder", "frist_dage", "interval_maaneder", "udgivet_efter_maaneder")


class CalendarError(ValueError):
    """A malformed delivery calendar; the message is Danish and names file, row and problem."""


def _whole_number(text: str, *, path: Path, row: int, column: str) -> int | None:
    if text == "":
        return None
    if not text.lstrip("-").isdigit():
        raise CalendarError(f"{path.name}, række {row}, kolonne {column}: '{text}' er ikke et helt tal")
    return int(text)


def read_delivery_calendar(path: Path) -> pl.DataFrame:
    import polars as pl

    return pl.DataFrame(calendar_rows(path), schema={name: getattr(pl, dtype) for name, dtype in SCHEMA.items()},
                        orient="row")


def calendar_rows(path: Path) -> list[dict[str, str | int | bool | None]]:
    """The calendar's rows, checked (CalendarError names file, row and problem)."""
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text), delimiter=";")
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise CalendarError(f"{path.name}, række 1: kolonnerne {', '.join(missing)} mangler")
    rows = []
    for number, raw in enumerate(reader, start=2):
        row = {k: (v or "").strip() for k, v in raw.items() if k}
        if not row["kildesystem"]:
            continue
        rows.append({
            "source_system": row["kildesystem"],
            "supplier": row["leverandoer"],
            "frequency": row["frekvens"],
            "deadline_rule": row["fristregel"],
            **{COLUMNS[column]: _whole_number(row[column], path=path, row=number, column=column)
               for column in WHOLE_NUMBER_COLUMNS},
            "is_assumed": row["antaget"].casefold() in ("ja", "j", "yes", "true", "1"),
            "basis": row["grundlag"],
        })
    return rows


def write_delivery_calendar(con: duckdb.DuckDBPyConnection, calendar: pl.DataFrame) -> None:
    con.execute("create schema if not exists raw")
    con.register("calendar_frame", calendar.to_arrow())
    try:
        con.execute("create or replace table raw.catalog_delivery_calendar as select * from calendar_frame")
    finally:
        con.unregister("calendar_frame")
