"""A reader who tries to recover hidden cells from what is published: exact integer bounds by MILP.

Independent of pipelines/privacy/disclosure.py: the test tables state their own published figures
(cells, an area's year, `combined` per quarter and per year for each pooled area set, a delivered
`combined`). The attacker knows non-negativity, that a hidden primary cell is 1-4 and that any other
hidden cell is 0 or at least 5 (more than measurements tells: it does not say why a cell is hidden).
Of a hidden total nothing more is known: kpi_status gives the same reason for every hidden value.
"""

from __future__ import annotations

from collections.abc import Callable
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
    upper = np.full(len(cells), np.inf)
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
            if result.status == 3:  # unbounded: nothing published limits it
                ends.append(-sign * np.inf)
                continue
            assert result.success, result.message  # the true table is always feasible
            ends.append(sign * result.fun)
        out[key] = (ends[0], ends[1])
    return out
