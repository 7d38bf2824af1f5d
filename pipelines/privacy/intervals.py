"""The protection interval of rule 8: no hidden small figure may be provably below 5.

What a reader knows of a hidden figure is everything published: the published cells and totals of its
table, the published figures of related indicators (pipelines/privacy/relations.py: a share's denominator
is a count published elsewhere, visits are at least the children visited), that counts of persons are
whole numbers and not negative, and that a hidden count is at least 1 (zeros are published). From that a
reader can bound each hidden figure. Statistical offices require a protection interval for a figure
suppressed under a threshold rule: its upper bound must reach the threshold (Tau-Argus' upper protection
level for the frequency rule; `upmin` in Statistics Norway's GaussSuppression). Here: for every part
(count, numerator, denominator) of a primary figure that is 1-4, some table of whole numbers that agrees
with everything published and known must give it at least 5. Then a reader cannot tell the figure from
one that would have been published, and a fortiori cannot recover it.

`protect` checks that for every such target and, where it fails, hides the cheapest set of further
published figures that restores it: one mixed-integer program per target (scipy's HiGHS), whose
variables are a second table y (what the reader cannot rule out) and a choice z of figures to hide:
    every published figure not chosen: Σ y over its cells = its value
    every hidden count (and denominator) cell: y ≥ 1;  y whole where the truth is whole;  relations on y
    the target: Σ y over its cells ≥ 5
    minimise the cost of z (a judged figure ≫ another total ≫ a cell, then the smaller cell).
Hiding figures only removes equations (a published cell of at least 1 becomes a hidden one known to be
at least 1), so a target once protected stays protected while the others are handled.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from pipelines.privacy.hiding_reasons import COUNT_UNITS, PRIMARY

if TYPE_CHECKING:
    from pipelines.privacy.disclosure import Figure, Table
    from pipelines.privacy.relations import Relation

THRESHOLD = 5.0
COUNT_PARTS = ("value", "denominator")  # a hidden one is at least 1: zeros are published, a share has a base
TableKey = tuple[str, str]  # source_system, indicator
Variable = tuple[TableKey, int, str]  # table, cell index, part
_JUDGED, _TOTAL, _CELL = 1e6, 1e4, 1e2


@dataclass
class Cluster:
    """Tables of one judged period linked by relations (or one table alone)."""

    tables: dict[TableKey, Table]
    relations: list[Relation] = field(default_factory=list)


def clusters(tables: Mapping[tuple[str, str, str], Table], relations: Iterable[Relation]) -> list[Cluster]:
    """Group the tables of each judged period by the relations between their indicators."""
    relations = list(relations)
    parent: dict[tuple[str, str, str], tuple[str, str, str]] = {key: key for key in tables}

    def root(key: tuple[str, str, str]) -> tuple[str, str, str]:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    by_period: dict[str, list[Relation]] = defaultdict(list)
    periods = {period for _, _, period in tables}
    for relation in relations:
        for period in periods:
            keys = [(relation.source_system, indicator, period) for indicator in sorted(relation.indicators)]
            present = [key for key in keys if key in tables]
            if len(present) == len(keys):
                by_period[period].append(relation)
                for key in present[1:]:
                    parent[root(key)] = root(present[0])
    groups: dict[tuple[str, str, str], list[tuple[str, str, str]]] = defaultdict(list)
    for key in sorted(tables):
        groups[root(key)].append(key)
    out = []
    for members in groups.values():
        period = members[0][2]
        linked = {(source, indicator) for source, indicator, _ in members}
        out.append(Cluster({(s, i): tables[(s, i, p)] for s, i, p in members},
                           [r for r in by_period[period]
                            if {(r.source_system, i) for i in r.indicators} <= linked]))
    return out


def parts_of(table: Table) -> tuple[str, ...]:
    """The parts a reader can add up: a count's value; a share's numerator and denominator, if delivered."""
    if table.unit in COUNT_UNITS:
        return ("value",)
    known = [cell for cell in table.cells if not cell.source_suppressed]
    return tuple(part for part in ("numerator", "denominator")
                 if known and all(getattr(cell, part) is not None for cell in known))


class _Program:
    """The variables y of a cluster and the linear rows every repair shares."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.index: dict[Variable, int] = {}
        self.truth: list[float | None] = []
        self.lower: list[float] = []
        self.integral: list[bool] = []
        self.parts = {key: parts_of(table) for key, table in cluster.tables.items()}
        largest = 0.0
        for key, table in cluster.tables.items():
            for part in self.parts[key]:
                values = [getattr(cell, part) for cell in table.cells
                          if not cell.source_suppressed and getattr(cell, part) is not None]
                whole = all(float(v).is_integer() for v in values)
                signed = any(v < 0 for v in values)
                largest = max([largest, *(abs(v) for v in values)])
                for index, cell in enumerate(table.cells):
                    value = None if cell.source_suppressed else getattr(cell, part)
                    self.index[(key, index, part)] = len(self.truth)
                    self.truth.append(value)
                    self.integral.append(whole)
                    at_least_one = part in COUNT_PARTS and value is not None and value >= 1
                    self.lower.append(1.0 if at_least_one else (-np.inf if signed else 0.0))
        self.size = len(self.truth)
        self.upper = 2 * largest + 10 * THRESHOLD
        self.lower = [max(low, -self.upper) for low in self.lower]
        self.violated: list[Relation] = []
        self.relation_rows = list(self._relation_rows())

    def figure_terms(self, key: TableKey, figure: Figure, part: str) -> dict[int, float]:
        return {self.index[(key, member, part)]: 1.0 for member in figure.members}

    def truth_of(self, key: TableKey, figure: Figure, part: str) -> float | None:
        values = [self.truth[self.index[(key, member, part)]] for member in figure.members]
        return None if any(value is None for value in values) else float(sum(values))

    def _relation_rows(self) -> Iterable[tuple[dict[int, float], float, float]]:
        for relation in self.cluster.relations:
            left_key = (relation.source_system, relation.left.indicator)
            right = [((relation.source_system, term.indicator), term.part) for term in relation.right]
            if relation.left.part not in self.parts.get(left_key, ()) or any(
                    part not in self.parts.get(key, ()) for key, part in right):
                continue  # a part that is not delivered: nothing to relate
            positions = [{(c.row, c.column): i for i, c in enumerate(self.cluster.tables[key].cells)}
                         for key, _ in right]
            for index, cell in enumerate(self.cluster.tables[left_key].cells):
                at = (cell.row, cell.column)
                if not all(at in position for position in positions):
                    continue
                terms: dict[int, float] = defaultdict(float)
                terms[self.index[(left_key, index, relation.left.part)]] += 1.0
                for (key, part), position in zip(right, positions, strict=True):
                    terms[self.index[(key, position[at], part)]] -= 1.0
                low, high = {"=": (0.0, 0.0), "<=": (-np.inf, 0.0), ">=": (0.0, np.inf)}[relation.operator]
                truths = [self.truth[i] for i in terms]
                if all(t is not None for t in truths) and not (
                        low - 1e-6 <= sum(c * t for c, t in zip(terms.values(), truths, strict=True)) <= high + 1e-6):
                    self.violated.append(relation)  # a wrong declaration: ignored here, failed by the tests
                    continue
                yield dict(terms), low, high


def _cost(figure: Figure) -> float:
    return _JUDGED if figure.judged else _TOTAL if not figure.is_cell else _CELL


def targets(program: _Program) -> list[tuple[TableKey, int, str, float]]:
    """Every part 1-4 of a primary figure: (table, figure index, part, its value)."""
    out = []
    for key, table in program.cluster.tables.items():
        for number, figure in enumerate(table.figures):
            if figure.hidden_because != PRIMARY:
                continue
            for part in program.parts[key]:
                value = program.truth_of(key, figure, part)
                if value is not None and 0 < value < THRESHOLD:
                    out.append((key, number, part, value))
    return sorted(out, key=lambda target: (not program.cluster.tables[target[0]].figures[target[1]].is_cell,
                                           target[3], target[0], target[1], target[2]))


def _candidates(program: _Program) -> list[tuple[TableKey, int]]:
    """Published figures that may be hidden to protect another: not a zero cell (zeros are published)."""
    out = []
    for key, table in program.cluster.tables.items():
        if not program.parts[key]:
            continue
        for number, figure in enumerate(table.figures):
            if figure.hidden_because is not None:
                continue
            values = [program.truth_of(key, figure, part) for part in program.parts[key]]
            if any(value is None for value in values):
                continue
            zero_count = figure.is_cell and all(
                value == 0 for part, value in zip(program.parts[key], values, strict=True) if part in COUNT_PARTS)
            if not zero_count:
                out.append((key, number))
    return out


def _repair(program: _Program, target: tuple[TableKey, int, str, float]) -> list[tuple[TableKey, int]]:
    """The cheapest further figures to hide so that the target can be 5 or more; [] if it already can.
    Most targets already can: a program without the choice of figures (a few ms) says so first."""
    if _solve(program, target, []) == []:
        return []
    return _solve(program, target, _candidates(program)) or _candidates(program)


def _solve(program: _Program, target: tuple[TableKey, int, str, float], candidates: list[tuple[TableKey, int]]
           ) -> list[tuple[TableKey, int]] | None:
    """The cheapest choice among candidates (None: no choice reaches 5)."""
    width = program.size + len(candidates)
    big = 2 * program.upper * max((len(t.cells) for t in program.cluster.tables.values()), default=1)
    rows: list[dict[int, float]] = []
    lows: list[float] = []
    highs: list[float] = []

    def add(terms: dict[int, float], low: float, high: float) -> None:
        rows.append(terms)
        lows.append(low)
        highs.append(high)

    chosen = {candidate: program.size + n for n, candidate in enumerate(candidates)}
    for key, table in program.cluster.tables.items():
        for number, figure in enumerate(table.figures):
            if figure.hidden_because is not None:
                continue
            for part in program.parts[key]:
                value = program.truth_of(key, figure, part)
                if value is None:
                    continue
                terms = program.figure_terms(key, figure, part)
                if (key, number) in chosen:  # |Σ y − value| ≤ big · z
                    add({**terms, chosen[(key, number)]: -big}, -np.inf, value)
                    add({**terms, chosen[(key, number)]: big}, value, np.inf)
                else:
                    add(terms, value, value)
    for terms, low, high in program.relation_rows:
        add(terms, low, high)
    key, number, part, _ = target
    add(program.figure_terms(key, program.cluster.tables[key].figures[number], part), THRESHOLD, np.inf)
    objective = np.zeros(width)
    sizes = [program.cluster.tables[k].figures[n].size for k, n in candidates]
    scale = 1 + max(sizes, default=0.0)
    for (k, n), size in zip(candidates, sizes, strict=True):
        objective[chosen[(k, n)]] = _cost(program.cluster.tables[k].figures[n]) + size / scale
    matrix = _sparse(rows, width)
    lower = np.array(program.lower + [0.0] * len(candidates))
    upper = np.array([program.upper] * program.size + [1.0] * len(candidates))
    integrality = np.array([int(x) for x in program.integral] + [1] * len(candidates))
    result = milp(objective, constraints=[LinearConstraint(matrix, lows, highs)], integrality=integrality,
                  bounds=Bounds(lower, upper))
    if not result.success:  # with every candidate: cannot happen while the truth is feasible
        return None
    return [candidate for candidate in candidates if result.x[chosen[candidate]] > 0.5]


def _sparse(rows: list[dict[int, float]], width: int) -> Any:
    data, row_index, column_index = [], [], []
    for number, terms in enumerate(rows):
        for column, coefficient in terms.items():
            row_index.append(number)
            column_index.append(column)
            data.append(coefficient)
    return coo_array((data, (row_index, column_index)), shape=(len(rows), width)).tocsr()


def protect(tables: Mapping[tuple[str, str, str], Table], relations: Iterable[Relation],
            hide: Callable[[Figure], None]) -> int:
    """Hide further figures until every primary figure's protection interval reaches 5; returns how many."""
    hidden = 0
    for cluster in clusters(tables, relations):
        if not any(figure.hidden_because == PRIMARY for table in cluster.tables.values()
                   for figure in table.figures):
            continue
        program = _Program(cluster)
        for target in targets(program):
            for key, number in _repair(program, target):
                hide(cluster.tables[key].figures[number])
                hidden += 1
    return hidden
