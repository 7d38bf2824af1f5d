"""The build file: a copy of the last internal state that this run writes to, never the published file.

Every build starts from a clean slate: a build file, WAL or spill folder left behind by a killed run is
removed first, never reused (replaying a stale WAL against a fresh copy fails with `checkpoint iteration
does not match`, and would stop every later run).
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from pipelines.catalog.delivery_calendar import CALENDAR_FILE, read_delivery_calendar, write_delivery_calendar
from pipelines.catalog.load import read_catalog, write_catalog
from pipelines.load.files import build_path, database_files, remove_database  # noqa: F401 (re-exported)
from pipelines.load.raw_layer import read_ledger
from pipelines.load.schema import ensure_raw_schema, write_run_parameters
from pipelines.load.source_figures import write_sources
from pipelines.parse import registry
from pipelines.parse.base import Yields
from pipelines.runtime.pause import pause_at


def aggregate_sources() -> list[str]:
    """Sources parsed into the observation shape; each has a raw table of its own."""
    return sorted(name for name, parser in registry().items() if parser.yields is not Yields.ROWS)


def row_tables() -> dict[str, dict[str, pl.DataType]]:
    """Raw tables of the sources parsed row by row (person level, questionnaire): table → columns."""
    return {table: dict(schema) for parser in registry().values() for table, schema in parser.raw_tables.items()}


def measurement_sources() -> list[str]:
    """The sources whose observations are measurements (not baseline decisions or assessments)."""
    return sorted(name for name, parser in registry().items() if parser.yields is Yields.MEASUREMENTS)


def assessment_sources() -> list[str]:
    """The sources whose rows are verdicts on criteria (section 17), shown as `qualitative`."""
    return sorted(name for name, parser in registry().items() if parser.yields is Yields.ASSESSMENTS)


def prepare_build(internal: Path, catalog_file: Path, as_of: date) -> Path:
    """Copy the internal state (or start empty) to a fresh build file, ensure the raw schema, load the catalog
    and the run's as-of date."""
    build = build_path(internal)
    remove_database(build)
    build.parent.mkdir(parents=True, exist_ok=True)
    if internal.is_file():
        shutil.copy2(internal, build)
    with duckdb.connect(str(build)) as con:
        ensure_raw_schema(con, aggregate_sources(), row_tables())
        write_catalog(con, read_catalog(catalog_file))
        write_sources(con, registry())
        write_delivery_calendar(con, read_delivery_calendar(catalog_file.with_name(CALENDAR_FILE)))
        write_run_parameters(con, as_of)
        pause_at("prepare-build", internal.parent)
    return build


def ledger_entries(build: Path):
    with duckdb.connect(str(build), read_only=True) as con:
        return read_ledger(con)
