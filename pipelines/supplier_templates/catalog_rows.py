"""The rows a template is prefilled with: the catalog's evaluation units of one source in one period."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl

from pipelines.catalog.load import Catalog
from pipelines.catalog.plan import plan_bounds
from pipelines.catalog.targets import evaluation_units
from pipelines.periods import Period

COMBINED_NAME = "Samlet"


@dataclass(frozen=True)
class UnitRow:
    """One criterion (or indicator) × area that a source must report for a period."""

    criterion_id: str
    text_da: str
    activity: str
    indicator: str | None
    area_key: str
    area_name: str


def _area_name(catalog: Catalog, area_key: str) -> str:
    return COMBINED_NAME if area_key == "combined" else catalog.areas[area_key]["name_da"]


def unit_rows(catalog: Catalog, source_system: str, period: Period) -> Iterator[UnitRow]:
    """Units of the source whose plan period overlaps the period; per area, or `Samlet` when only combined."""
    units = evaluation_units(catalog).filter(pl.col("source_system") == source_system)
    by_id = catalog.by_id
    seen: set[tuple[str, str]] = set()
    for unit in units.iter_rows(named=True):
        start, end = plan_bounds(unit["plan_period"])
        if end < period.start or start > period.end:
            continue
        if unit["area_key"] not in catalog.areas:
            continue  # combined_mean and comparators are computed or delivered by others, never registered
        criterion = by_id[unit["criterion_id"]]
        key = unit["indicator"] or unit["criterion_id"]
        group = units.filter((pl.col("indicator") == unit["indicator"]) if unit["indicator"]
                             else (pl.col("criterion_id") == unit["criterion_id"]))
        real_areas = [a for a in group["area_key"].unique().sort().to_list() if a in catalog.areas and a != "combined"]
        if unit["area_key"] == "combined" and real_areas:
            continue  # the warehouse pools the areas itself
        if (key, unit["area_key"]) in seen:
            continue
        seen.add((key, unit["area_key"]))
        yield UnitRow(unit["criterion_id"], " ".join(criterion["text_da"].split()), criterion.get("activity") or
                      criterion.get("indsatsomraade") or "", unit["indicator"], unit["area_key"],
                      _area_name(catalog, unit["area_key"]))
