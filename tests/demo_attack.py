"""The linked attack on a published warehouse: every source, judged period and set of related indicators.

What the reader uses is what is published: `measurements` (cells, a delivered `combined`; hidden ones are
NULL with `suppressed`), the yearly and pooled figures of `kpi_status` (whether each is hidden is read from
the internal int_measurements__disclosure, which is what kpi_status publishes), and the relations between
indicators (seed disclosure_relations). The truth comes from the internal warehouse.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import duckdb

from pipelines.privacy.disclosure import judged_period
from pipelines.privacy.relations import from_rows
from pipelines.settings import REPO_ROOT
from tests.disclosure_attack import AREAS, AttackTable, LinkedAttack, narrow

RELATIONS = REPO_ROOT / "dbt_project" / "seeds" / "disclosure_relations.csv"


def _relations() -> dict[str, list[tuple[tuple[str, str], str, list[tuple[str, str]]]]]:
    out: dict[str, list] = defaultdict(list)
    with RELATIONS.open(encoding="utf-8") as handle:
        for relation in from_rows(csv.DictReader(handle)):
            out[relation.source_system].append(((relation.left.indicator, relation.left.part), relation.operator,
                                                [(term.indicator, term.part) for term in relation.right]))
    return out


def _components(indicators: set[str], relations: list) -> list[set[str]]:
    groups = [{indicator} for indicator in sorted(indicators)]
    for left, _, right in relations:
        names = {left[0], *(term[0] for term in right)}
        if not names <= indicators:
            continue
        touching = [group for group in groups if group & names]
        groups = [group for group in groups if not group & names] + [set().union(*touching)]
    return groups


def demo_attacks(published: Path, internal: Path) -> tuple[int, list[str]]:
    """Attack every linked table set that hides a figure; returns (sets attacked, figures a reader pins)."""
    with duckdb.connect(str(internal), read_only=True) as con:
        cells = con.execute(
            "select source_system, indicator, area_key, period, unit, value, numerator, denominator"
            " from intermediate.int_measurements__unioned"
            " where indicator not in (select indicator from reference.event_indicators)").fetchall()
        rollups = dict(((s, i), r) for s, i, r in con.execute(
            "select source_system, indicator, rollup from reference.quarterly_indicators").fetchall())
        groups: dict = defaultdict(set)
        for source_system, indicator, areas in con.execute(
                "select u.source_system, u.indicator, list(distinct a.area_key order by a.area_key)"
                " from staging.stg_catalog__units as u inner join staging.stg_catalog__criterion_areas as a"
                " using (criterion_id) where u.area_key in ('combined', 'combined_mean')"
                " group by u.criterion_id, u.source_system, u.indicator").fetchall():
            if set(areas) <= set(AREAS):
                groups[(source_system, indicator)].add(tuple(areas))
        totals = {(s, i, a, p, k): h for s, i, a, p, k, h in con.execute(
            "select source_system, indicator, area_key, period, areas_key, hidden"
            " from intermediate.int_measurements__disclosure").fetchall()}
    with duckdb.connect(str(published), read_only=True) as con:
        suppressed = {(s, i, a, p): h for s, i, a, p, h in con.execute(
            "select source_system, indicator, area_key, period, suppressed from measurements").fetchall()}
    relations = _relations()
    by_table: dict = defaultdict(dict)
    units = {}
    for source_system, indicator, area_key, period, unit, *numbers in cells:
        by_table[(source_system, judged_period(period), indicator)][(area_key, period)] = numbers
        units[(source_system, indicator)] = unit
    by_period: dict = defaultdict(set)
    for source_system, period, indicator in by_table:
        by_period[(source_system, period)].add(indicator)
    attacked, pinned = 0, []
    for (source_system, period), indicators in sorted(by_period.items()):
        for component in _components(indicators, relations[source_system]):
            attack = _linked(source_system, period, component, by_table, units, rollups, groups, totals,
                             suppressed, relations[source_system])
            if attack is None or not any(any(flags.values()) for flags in attack.hidden.values()):
                continue
            attacked += 1
            pinned += [f"{source_system} {period} {line}" for line in narrow(attack)]
    return attacked, pinned


def _linked(source_system, period, component, by_table, units, rollups, groups, totals, suppressed, relations
            ) -> LinkedAttack | None:
    tables: dict = {}
    hidden: dict = {}
    for indicator in sorted(component):
        table_cells = by_table[(source_system, period, indicator)]
        unit = units[(source_system, indicator)]
        parts = {"value": 0} if unit == "count" else {"numerator": 1, "denominator": 2}
        parts = {part: at for part, at in parts.items()
                 if all(numbers[at] is not None for numbers in table_cells.values())}  # delivered, not NULL
        if not parts:
            continue
        quarterly = all("Q" in column for _, column in table_cells)
        has_areas = any(row in AREAS for row, _ in table_cells)
        delivered = has_areas and any(row == "combined" for row, _ in table_cells)
        made = {part: AttackTable(period, {cell: numbers[at] for cell, numbers in table_cells.items()
                                           if not (delivered and cell[0] == "combined")},
                                  rollups.get((source_system, indicator)) if quarterly else None,
                                  sorted(groups.get((source_system, indicator), ())), delivered)
                for part, at in parts.items()}
        keys = next(iter(made.values())).figures()
        if delivered and any(value_differs(made[part], keys[key], table_cells[key[:2]][at])
                             for key in keys if key[0] == "combined" and key[2] == "" and key[:2] in table_cells
                             for part, at in parts.items()):
            continue  # the source's total is not the sum of its areas: no equation to attack
        hidden[indicator] = {key: suppressed[(source_system, indicator, *key[:2])]
                             if key[2] == "" and (source_system, indicator, *key[:2]) in suppressed
                             else totals[(source_system, indicator, *key)] for key in keys}
        tables.update({(indicator, part): table for part, table in made.items()})
    if not tables:
        return None
    return LinkedAttack(tables, hidden, relations)


def value_differs(table: AttackTable, members: list, delivered: float) -> bool:
    return abs(sum(table.cells[cell] for cell in members) - delivered) > 1e-6
