"""A reader who tries to recover hidden cells from what is published: exact integer bounds by MILP.

Independent of pipelines/privacy/disclosure.py: the test tables state their own published figures
(cells, an area's year, `combined` per quarter and per year for each pooled area set, a delivered
`combined`). The attacker knows non-negativity, that a hidden primary cell is 1-4 and that any other
hidden cell is 0 or at least 5 (more than measurements tells: it does not say why a cell is hidden).
Of a hidden total nothing more is known: kpi_status gives the same reason for every hidden value.

The second part is the reader of the protection interval (rule 8, version 3): `Knowledge` (linear rows,
bounds, whole numbers) and `feasible_range` (exact min and max of a sum of unknowns, by MILP) are generic
and meant to be reused by other attack modules; `LinkedAttack` states what a reader of several related
tables of one source and period knows (published figures, declared relations, whole numbers, a hidden
count or denominator is at least 1 since zeros are published) without knowing why a figure is hidden;
`narrow` lists the hidden figures of 1-4 whose maximum is below 5 or that have one possible value, and
`recovered` every hidden figure a reader can read back exactly. tests/demo_attack.py runs it on a
published warehouse.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

AREAS = ("motalavej", "ringparken", "sydbyen", "skaelskoer")
Key = tuple[str, str, str]  # area_key, period, areas_key
CellId = tuple[str, str]  # row, column


@dataclass
class AttackTable:
    """A table of person counts with every figure a reader sees, stated by hand."""

    year: str
    cells: dict[CellId, float]
    rollup: str | None  # sum | last | None (yearly cells)
    groups: list[tuple[str, ...]] = field(default_factory=list)
    delivered_combined: bool = False

    @property
    def quarterly(self) -> bool:
        return self.rollup is not None

    def records(self) -> list[dict]:
        rows = [{"source_system": "s", "indicator": "i", "area_key": row, "period": column, "value": value,
                 "unit": "count", "suppressed": False} for (row, column), value in self.cells.items()]
        if self.delivered_combined:
            for column in sorted({column for _, column in self.cells}):
                value = sum(v for (row, c), v in self.cells.items() if c == column and row in AREAS)
                rows.append({"source_system": "s", "indicator": "i", "area_key": "combined", "period": column,
                             "value": value, "unit": "count", "suppressed": False})
        return rows

    def figures(self) -> dict[Key, list[CellId]]:
        """Every published figure and the cells it adds up."""
        out: dict[Key, list[CellId]] = {(row, column, ""): [(row, column)] for row, column in self.cells}
        columns = sorted({column for _, column in self.cells})
        rows = sorted({row for row, _ in self.cells})
        area_rows = [row for row in rows if row in AREAS]

        def totals(area_key: str, key: str, members_of: list[str]) -> None:
            for column in columns:
                members = [(row, column) for row in members_of if (row, column) in self.cells]
                if len(members) == len(members_of):
                    out.setdefault((area_key, column, key), members)
            if self.rollup == "sum":
                members = [cell for cell in self.cells if cell[0] in members_of]
                if len(members) == len(members_of) * len(columns):
                    out.setdefault((area_key, self.year, key), members)

        if self.rollup == "sum":
            for row in rows:
                out[(row, self.year, "")] = [cell for cell in self.cells if cell[0] == row]
        for group in self.groups:
            totals("combined", ",".join(sorted(group)), list(group))
        if self.delivered_combined:
            totals("combined", "", area_rows)
        return out

    def judged(self) -> list[Key]:
        """The yearly figures criteria are judged on (areas and groups)."""
        return [key for key in self.figures() if key[1] == self.year]


def value_of(table: AttackTable, members: list[CellId]) -> float:
    return sum(table.cells[cell] for cell in members)


def is_person_small(value: float) -> bool:
    return 0 < value < 5


def bounds_of_hidden(table: AttackTable, hidden: dict[Key, bool],
                     primary: Callable[[Key], bool] | None = None,
                     primary_is_small: bool = True) -> dict[Key, tuple[float, float]]:
    """Exact integer min and max of every hidden figure, given every published one.

    primary: whether a figure (by key) is primary (default: its value is 1-4). primary_is_small: the reader
    knows a hidden primary cell is 1-4 (counts); of a share's numerator and denominator only one need
    be, so nothing is known of either.
    """
    figures = table.figures()
    def is_primary(key: Key) -> bool:
        return primary(key) if primary else is_person_small(value_of(table, figures[key]))

    def is_cell(key: Key) -> bool:
        return key[2] == "" and key[:2] in table.cells

    cells = sorted(table.cells)
    index = {cell: i for i, cell in enumerate(cells)}
    lower = np.zeros(len(cells))
    upper = np.full(len(cells), UNBOUNDED)  # finite: HiGHS may not tell unbounded from infeasible
    rows, lows, highs = [], [], []
    for key, members in figures.items():
        vector = np.zeros(len(cells))
        for cell in members:
            vector[index[cell]] = 1
        value = value_of(table, members)
        if not hidden[key]:
            rows.append(vector)
            lows.append(value)
            highs.append(value)
        elif is_cell(key) and is_primary(key) and primary_is_small:  # a hidden primary cell is 1-4
            rows.append(vector)
            lows.append(1)
            highs.append(4)
    # a hidden cell that is not primary is 0 or at least 5: x - 5 b >= 0, x - big b <= 0, b binary
    big = 1 + sum(table.cells.values())
    disjunctions = [members for key, members in figures.items()
                    if hidden[key] and is_cell(key) and not is_primary(key)]
    width = len(cells) + len(disjunctions)
    rows = [np.concatenate([row, np.zeros(len(disjunctions))]) for row in rows]
    for number, members in enumerate(disjunctions):
        vector = np.zeros(width)
        for cell in members:
            vector[index[cell]] = 1
        for factor, low, high in ((-5, 0, np.inf), (-big, -np.inf, 0)):
            row = vector.copy()
            row[len(cells) + number] = factor
            rows.append(row)
            lows.append(low)
            highs.append(high)
    lower = np.concatenate([lower, np.zeros(len(disjunctions))])
    upper = np.concatenate([upper, np.ones(len(disjunctions))])
    constraints = [LinearConstraint(np.array(rows), lows, highs)] if rows else []
    integrality = np.ones(width)
    out = {}
    for key, members in figures.items():
        if not hidden[key]:
            continue
        objective = np.zeros(width)
        for cell in members:
            objective[index[cell]] = 1
        ends = []
        for sign in (1, -1):
            result = milp(sign * objective, constraints=constraints, integrality=integrality,
                          bounds=Bounds(lower, upper))
            assert result.success, result.message  # the true table is always feasible
            end = sign * result.fun  # at the cap: nothing published limits it
            ends.append(np.inf if end >= UNBOUNDED / 2 else end)
        out[key] = (ends[0], ends[1])
    return out


# ---- the reader's knowledge as linear rows, and the protection interval --------------------------------

Unknown = Hashable


@dataclass
class Knowledge:
    """What a reader knows about unknown figures: rows `low ≤ Σ coefficient · x ≤ high`, bounds per unknown
    (default: not negative) and which unknowns are whole numbers. Importable by other attack modules (e.g.
    one that adds published versions or ledger columns as further rows)."""

    rows: list[tuple[dict[Unknown, float], float, float]] = field(default_factory=list)
    lower: dict[Unknown, float] = field(default_factory=dict)
    upper: dict[Unknown, float] = field(default_factory=dict)
    integral: set[Unknown] = field(default_factory=set)

    def equal(self, terms: dict[Unknown, float], value: float) -> None:
        self.rows.append((terms, value, value))

    def between(self, terms: dict[Unknown, float], low: float, high: float) -> None:
        self.rows.append((terms, low, high))

    def at_least(self, unknown: Unknown, value: float) -> None:
        self.lower[unknown] = max(self.lower.get(unknown, 0.0), value)

    def unknowns(self) -> list[Unknown]:
        seen: dict[Unknown, None] = {}
        for terms, _, _ in self.rows:
            seen.update(dict.fromkeys(terms))
        seen.update(dict.fromkeys(self.lower))
        seen.update(dict.fromkeys(self.upper))
        return list(seen)


def feasible_range(knowledge: Knowledge, objective: dict[Unknown, float]) -> tuple[float, float]:
    """Exact min and max of Σ coefficient · x over every x the reader cannot rule out (±inf if unbounded)."""
    unknowns = knowledge.unknowns()
    for unknown in objective:
        if unknown not in unknowns:
            unknowns.append(unknown)
    position = {unknown: i for i, unknown in enumerate(unknowns)}
    matrix = np.zeros((len(knowledge.rows), len(unknowns)))
    for number, (terms, _, _) in enumerate(knowledge.rows):
        for unknown, coefficient in terms.items():
            matrix[number, position[unknown]] += coefficient
    constraints = [LinearConstraint(matrix, [r[1] for r in knowledge.rows], [r[2] for r in knowledge.rows])] \
        if knowledge.rows else []
    # a finite cap instead of inf: HiGHS may not tell an unbounded integer program from an infeasible one
    bounds = Bounds([knowledge.lower.get(u, 0.0) for u in unknowns],
                    [knowledge.upper.get(u, UNBOUNDED) for u in unknowns])
    integrality = np.array([u in knowledge.integral for u in unknowns], dtype=int)
    vector = np.zeros(len(unknowns))
    for unknown, coefficient in objective.items():
        vector[position[unknown]] += coefficient
    ends = []
    for sign in (1, -1):
        result = milp(sign * vector, constraints=constraints, integrality=integrality, bounds=bounds)
        assert result.success, result.message  # the truth is always feasible
        end = sign * result.fun
        ends.append(np.inf if end >= UNBOUNDED / 2 else -np.inf if end <= -UNBOUNDED / 2 else end)
    return ends[0], ends[1]


THRESHOLD = 5
UNBOUNDED = 1e7


@dataclass
class LinkedAttack:
    """Tables of one source and judged period that a reader attacks together.

    tables: per (indicator, part) the published table of that part (`value` of a count; `numerator` and
    `denominator` of a share), all parts of an indicator hidden alike. hidden: per indicator, per figure key,
    whether it is hidden. relations: (left, operator, right) with terms (indicator, part), holding cell by
    cell (and so for every total); a relation the truth breaks in a cell (a reader's assumption that is
    wrong there, e.g. one extra visit per child) gives him nothing true about it and is left out. The
    reader knows: every published figure, the relations, whole numbers
    where the truth is whole, no negatives, and that a hidden count or denominator cell is at least 1 (zeros
    are published and a share has a base). Nothing is known of why a figure is hidden.
    """

    tables: dict[tuple[str, str], AttackTable]
    hidden: dict[str, dict[Key, bool]]
    relations: list[tuple[tuple[str, str], str, list[tuple[str, str]]]] = field(default_factory=list)

    def knowledge(self) -> Knowledge:
        known = Knowledge()
        for (indicator, part), table in self.tables.items():
            whole = all(float(v).is_integer() for v in table.cells.values())
            for cell in table.cells:
                if whole:
                    known.integral.add((indicator, part, cell))
            for key, members in table.figures().items():
                terms = {(indicator, part, cell): 1.0 for cell in members}
                if not self.hidden[indicator][key]:
                    known.equal(terms, value_of(table, members))
                elif key[2] == "" and key[:2] in table.cells and part in ("value", "denominator"):
                    known.at_least((indicator, part, key[:2]), 1.0)
        for left, operator, right in self.relations:
            if left not in self.tables or any(term not in self.tables for term in right):
                continue
            for cell in self.tables[left].cells:
                if not all(cell in self.tables[term].cells for term in right):
                    continue
                terms: dict[Unknown, float] = {(*left, cell): 1.0}
                for term in right:
                    terms[(*term, cell)] = terms.get((*term, cell), 0.0) - 1.0
                low, high = {"=": (0.0, 0.0), "<=": (-np.inf, 0.0), ">=": (0.0, np.inf)}[operator]
                truth = sum(c * self.tables[u[:2]].cells[u[2]] for u, c in terms.items())
                if low - 1e-6 <= truth <= high + 1e-6:  # a relation a reader assumes and the data break
                    known.between(terms, low, high)  # tells him nothing true about this cell
        return known

    def intervals(self, every_hidden: bool = False) -> dict[tuple[str, str, Key], tuple[float, float, float]]:
        """(truth, min, max) of every part 1-4 of a hidden figure: the figures the interval must protect
        (every_hidden: of every part of every hidden figure)."""
        known = self.knowledge()
        out = {}
        for (indicator, part), table in self.tables.items():
            for key, members in table.figures().items():
                truth = value_of(table, members)
                if self.hidden[indicator][key] and (every_hidden or 0 < truth < THRESHOLD):
                    out[(indicator, part, key)] = (truth, *feasible_range(
                        known, {(indicator, part, cell): 1.0 for cell in members}))
        return out


def narrow(attack: LinkedAttack) -> list[str]:
    """Hidden small figures a reader can pin: their maximum is below 5, or they have one possible value."""
    return [f"{figure}: {truth:g} is in [{low:g}, {high:g}]" for figure, (truth, low, high)
            in attack.intervals().items() if high < THRESHOLD or low == high]


def recovered(attack: LinkedAttack) -> list[str]:
    """Hidden figures (any value) a reader recovers exactly."""
    return [f"{figure}: {truth:g}" for figure, (truth, low, high) in attack.intervals(every_hidden=True).items()
            if low == high]
