"""Contract rule 8 for every source: which published figures are hidden, and why.

The rule itself lives in pipelines/privacy/disclosure.py (one implementation, tested there); this
model only feeds it the measurements of person indicators (events are never hidden), the area sets
each criterion pools (`combined`, `combined_mean`), the quarterly roll-ups and the families of linked
indicators (seed disclosure_families), and returns its answer.
"""

from pipelines.privacy.disclosure import suppress

COLUMNS = {"source_system": "varchar", "indicator": "varchar", "area_key": "varchar", "period": "varchar",
           "areas_key": "varchar", "judged_period": "varchar", "hidden": "boolean", "hidden_because": "varchar"}


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
    families = {(row["source_system"], row["indicator"]): row["family"]
                for row in _rows(dbt.ref("disclosure_families"))}
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
    figures = suppress(records, groups=groups, rollups=rollups, group_areas=areas, families=families)
    # Returned as a DuckDB relation: a pyarrow table would make dbt-duckdb import pandas (seconds).
    staged = "int_measurements__disclosure_staged"
    session.execute(f"create or replace temp table {staged} ("
                    + ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items()) + ")")
    session.execute(f"insert into {staged} select " + ", ".join(f"unnest(${i + 1})" for i in range(len(COLUMNS))),
                    [[figure[name] for figure in figures] for name in COLUMNS])
    return session.table(staged)
