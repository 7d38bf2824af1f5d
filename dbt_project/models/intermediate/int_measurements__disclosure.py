"""Contract rule 8 for every source: which published figures are hidden, and why.

The rule itself lives in pipelines/privacy/disclosure.py (one implementation, tested there); this
model only feeds it the measurements of person indicators (events are never hidden), the area sets
each criterion pools (`combined`, `combined_mean`) and the quarterly roll-ups, and returns its answer.
"""

import pyarrow as pa

from pipelines.privacy.disclosure import suppress

COLUMNS = ["source_system", "indicator", "area_key", "period", "areas_key", "judged_period", "hidden",
           "hidden_because"]
SCHEMA = pa.schema([(name, pa.bool_() if name == "hidden" else pa.string()) for name in COLUMNS])


def _rows(relation):
    names = relation.columns
    return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]


def model(dbt, session):
    dbt.config(materialized="table")
    measurements = dbt.ref("int_measurements__unioned")
    events = {row["indicator"] for row in _rows(dbt.ref("event_indicators"))}
    rollups = {(row["source_system"], row["indicator"]): row["rollup"]
               for row in _rows(dbt.ref("quarterly_indicators"))}
    areas = [row["area_key"] for row in _rows(dbt.ref("stg_catalog__areas"))]
    unit_indicators = _rows(dbt.ref("stg_catalog__units").select("criterion_id, source_system, indicator"))
    criterion_areas: dict[str, list[str]] = {}
    for row in _rows(dbt.ref("stg_catalog__criterion_areas")):
        criterion_areas.setdefault(row["criterion_id"], []).append(row["area_key"])
    groups: dict[tuple[str, str], set[tuple[str, ...]]] = {}
    for row in unit_indicators:
        if row["indicator"] is not None:
            groups.setdefault((row["source_system"], row["indicator"]), set()).add(
                tuple(sorted(criterion_areas.get(row["criterion_id"], []))))
    records = [row for row in _rows(measurements.select(
        "source_system, indicator, area_key, period, value, numerator, denominator, unit, suppressed"))
        if row["indicator"] not in events]
    figures = suppress(records, groups=groups, rollups=rollups, group_areas=areas)
    return pa.Table.from_pylist(figures, schema=SCHEMA)
