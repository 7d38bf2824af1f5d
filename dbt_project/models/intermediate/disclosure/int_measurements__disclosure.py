"""Contract rule 8 for every source: which published figures are hidden, and why.

The rule itself lives in pipelines/privacy/disclosure.py (one implementation, tested there); this
model only feeds it the measurements of person indicators (events are never hidden), the area sets
each criterion pools and publishes (`combined`, `combined_mean`: a criterion judged per area only
publishes no total over its areas, so that total is neither a figure to protect nor one that reveals,
contract rule 8 version 3), the quarterly roll-ups, the families of linked indicators (seed
disclosure_families) and the linear relations between indicators (seed disclosure_relations, generated
from the models' yml by pipelines/privacy/relations.py), and returns its answer.
"""

from pipelines.privacy.disclosure import pooled_groups, suppress
from pipelines.privacy.relations import from_rows

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
    relations = from_rows(_rows(dbt.ref("disclosure_relations")))
    units = dbt.ref("stg_catalog__units").select("criterion_id, area_key, source_system, indicator")
    groups = pooled_groups(_rows(units),
                           _rows(dbt.ref("stg_catalog__criterion_areas").select("criterion_id, area_key")))
    records = [row for row in _rows(measurements.select(
        "source_system, indicator, area_key, period, value, numerator, denominator, unit, suppressed"))
        if row["indicator"] not in events]
    figures = suppress(records, groups=groups, rollups=rollups, group_areas=areas, families=families,
                       relations=relations)
    # Returned as a DuckDB relation: a pyarrow table would make dbt-duckdb import pandas (seconds).
    staged = "int_measurements__disclosure_staged"
    session.execute(f"create or replace temp table {staged} ("
                    + ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items()) + ")")
    session.execute(f"insert into {staged} select " + ", ".join(f"unnest(${i + 1})" for i in range(len(COLUMNS))),
                    [[figure[name] for figure in figures] for name in COLUMNS])
    return session.table(staged)
