"""Load criteria.yaml and readings.yaml into flat tables (`raw.catalog_*`) at build time.

Nothing of the catalog is retyped in SQL: criteria, areas, baselines and evaluation units are
derived from the YAML on every run, so a new catalog version needs no code change.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from pipelines.areas import ProgrammeAreas
from pipelines.catalog.plan import criterion_areas, plan_areas
from pipelines.catalog.targets import evaluation_units
from pipelines.contract_columns import CONTRACT_TABLES
from pipelines.periods import grain_calendar, grain_period_at
from pipelines.yaml_text import load_yaml

CALENDAR_YEARS = (2000, 2040)  # the periods of every grain that the catalog_periods table lists


@dataclass(frozen=True)
class Catalog:
    version: str
    criteria: list[dict[str, Any]]
    areas: dict[str, dict[str, Any]]
    plan_periods: dict[str, str]
    readings: dict[str, dict[str, Any]]

    @property
    def by_id(self) -> dict[str, dict[str, Any]]:
        return {c["id"]: c for c in self.criteria}

    def group_baselines(self, criterion: dict[str, Any]) -> list[dict[str, Any]]:
        """Baselines of every entry sharing the criterion's canonical_id, its own first (computed once)."""
        group = [c for c in self.criteria if c["canonical_id"] == criterion["canonical_id"] and c is not criterion]
        return [b for c in (criterion, *group) for b in c.get("baseline") or []]


def read_catalog(catalog_file: Path, readings_file: Path | None = None) -> Catalog:
    document = load_yaml(catalog_file.read_text(encoding="utf-8"))
    readings_file = readings_file or catalog_file.with_name("readings.yaml")
    readings = load_yaml(readings_file.read_text(encoding="utf-8"))["readings"] if readings_file.is_file() else {}
    return Catalog(
        version=str(document["meta"]["version"]),
        criteria=document["criteria"],
        areas=document["areas"],
        plan_periods=document["plan_periods"],
        readings=readings or {},
    )


def target_kind(criterion: dict[str, Any]) -> str:
    rule = criterion.get("target_rule") or {}
    if "kind" in rule:
        return rule["kind"]
    return next((v["kind"] for v in rule.values() if isinstance(v, dict) and "kind" in v), "qualitative")


def criteria_frame(catalog: Catalog) -> pl.DataFrame:
    rows = [
        {
            "criterion_id": c["id"],
            "canonical_id": c["canonical_id"],
            "plan_period": c["plan_period"],
            "level": c["level"],
            "criterion_type": c["criterion_type"],
            "indsatsomraade": c.get("indsatsomraade"),
            "activity": c.get("activity"),
            "text_da": c["text_da"],
            "summary_en": c.get("summary_en"),
            "unit": c.get("unit"),
            "direction": c.get("direction"),
            "target_kind": target_kind(c),
            "source_system": c.get("source_system"),
            "frequency": c.get("frequency"),
            "granularity": c.get("granularity"),
            "catalog_version": catalog.version,
        }
        for c in catalog.criteria
    ]
    return pl.DataFrame(rows, schema={k: pl.Utf8 for k in CONTRACT_TABLES["criteria"]})


def areas_frame(catalog: Catalog) -> pl.DataFrame:
    membership = plan_areas(catalog)
    rows = []
    for key, area in catalog.areas.items():
        if key == "combined":
            continue
        periods = sorted(p for p, keys in membership.items() if key in keys)
        rows.append({"area_key": key, "name_da": area["name_da"], "town": area.get("town"), "plan_periods": periods})
    return pl.DataFrame(rows, schema={"area_key": pl.Utf8, "name_da": pl.Utf8, "town": pl.Utf8,
                                      "plan_periods": pl.List(pl.Utf8)})


def baseline_area_keys(catalog: Catalog, key: str, areas: list[str]) -> list[str]:
    """The area keys a catalog baseline's `area` stands for (meta.field_conventions.baseline_area_keys):
    `all_areas` and `all_areas_and_combined` expand to the criterion's areas; a pseudo-key joining areas
    with `_and_` (`<area>_and_<area>`) is the figure for those areas together, the criterion's `combined`."""
    if key == "all_areas":
        return areas
    if key == "all_areas_and_combined":
        return [*areas, "combined"]
    parts = key.split("_and_")
    if len(parts) > 1 and all(part in catalog.areas for part in parts):
        return ["combined"]
    return [key]


def baselines_frame(catalog: Catalog) -> pl.DataFrame:
    """Catalog baselines (role absent); pseudo area keys expanded; value null = measured later (rule 3)."""
    rows = []
    for c in catalog.criteria:
        areas = criterion_areas(catalog, c)
        seen: set[tuple[str, object]] = set()
        for b in catalog.group_baselines(c):
            if b.get("role") or b.get("year") is None or (b["area"], b["year"]) in seen:
                continue
            seen.add((b["area"], b["year"]))
            for area_key in baseline_area_keys(catalog, b["area"], areas):
                rows.append({"criterion_id": c["id"], "area_key": area_key, "period": str(b["year"]),
                             "value": None if b.get("value") is None else float(b["value"]),
                             "quote": b.get("quote"), "seed_ref": b.get("seed_ref")})
    return pl.DataFrame(rows, schema={"criterion_id": pl.Utf8, "area_key": pl.Utf8, "period": pl.Utf8,
                                      "value": pl.Float64, "quote": pl.Utf8, "seed_ref": pl.Utf8})


def periods_frame() -> pl.DataFrame:
    """Every period of every grain (pipelines/periods.py): label, index, dates, Danish name, previous label."""
    rows = [
        {"period_grain": p.kind, "period": p.label, "period_index": p.index, "period_start": p.start,
         "period_end": p.end, "period_da": p.text_da, "previous_period": grain_period_at(p.kind, p.index - 1).label}
        for p in grain_calendar(*CALENDAR_YEARS)
    ]
    return pl.DataFrame(rows, schema={"period_grain": pl.Utf8, "period": pl.Utf8, "period_index": pl.Int64,
                                      "period_start": pl.Date, "period_end": pl.Date, "period_da": pl.Utf8,
                                      "previous_period": pl.Utf8})


def write_catalog(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    """Replace the raw.catalog_* tables with this catalog version."""
    frames = {
        "catalog_criteria": criteria_frame(catalog),
        "catalog_areas": areas_frame(catalog),
        "catalog_baselines": baselines_frame(catalog),
        "catalog_units": evaluation_units(catalog),
        "catalog_periods": periods_frame(),
        "catalog_area_names": pl.DataFrame(ProgrammeAreas.from_catalog(catalog.areas).names_in_text(),
                                           schema={"area_key": pl.Utf8, "name_da": pl.Utf8}),
        "catalog_criterion_areas": pl.DataFrame(
            [{"criterion_id": c["id"], "area_key": a} for c in catalog.criteria for a in criterion_areas(catalog, c)],
            schema={"criterion_id": pl.Utf8, "area_key": pl.Utf8},
        ),
    }
    con.execute("create schema if not exists raw")
    for table, frame in frames.items():
        con.register("catalog_frame", frame.to_arrow())
        try:
            con.execute(f"create or replace table raw.{table} as select * from catalog_frame")
        finally:
            con.unregister("catalog_frame")
