"""Contract rule 8 (version 3): primary and complementary small-cell suppression, one implementation.

Every source goes through `suppress`, called by the dbt Python model `int_measurements__disclosure`.

Terms
- A *table* is one source indicator in one judged period (a calendar year; a school year or a cohort
  where the source delivers those): its *cells* are the finest figures delivered (an area's quarter, or
  the area's value when the source has no finer period), rows (areas, comparators, a delivered
  `combined` without area rows) × columns (the delivered period labels).
- Its *totals* are the published figures that add cells up: an area's year (the sum of its quarters,
  for a flow), a group's quarter and year (`combined` over a criterion's areas; `combined_mean` is the
  same sum divided by the number of areas), a delivered `combined` beside area rows. For a stock
  (rollup `last`) the year is the Q4 cell itself. Quarterly `combined` figures are treated as published
  although only yearly ones are today, so that a quarterly grain can be added without a new leak.
- *Judged* figures are those the criteria are judged on: the yearly values of areas and groups (for a
  quarterly indicator with no yearly roll-up, the quarters themselves).

Rules
1. Primary: a figure of persons whose count, numerator or denominator is 1-4 is hidden (a zero is
   published). Indicators that count events are never hidden (they are not passed in). A cell the
   source suppressed is hidden, and so is every total containing it (its value is unknown).
2. Complementary: every primary figure gets a *move*: a pattern of +1/-1 on cells (one cell, two cells
   in a row or a column, or a rectangle) that changes the figure and keeps every published figure
   unchanged, and that can be applied without leaving the bounds a reader may know: a hidden primary
   cell is 1-4, any other hidden cell is 0 or at least 5 (so a zero cannot protect and a 5 can only
   grow). kpi_status gives one reason for every hidden value, so a hidden total's smallness is not
   published (were it, a year of 4 hiding four quarters of 1 would give them away). Then two
   different integer tables agree with everything published, so the figure cannot be recovered.
   The figures the move changes are hidden. Among all moves the cheapest is chosen: fewest judged
   figures hidden, then fewest other totals, then fewest cells, then the smallest values (the least
   informative cells). A judged figure is therefore hidden only when no move avoids it (e.g. a
   stock's or a yearly source's only other cells are judged themselves).
3. Protection interval, across indicators (pipelines/privacy/intervals.py): a reader knows more than one
   table. Indicators built from the same persons are related (pipelines/privacy/relations.py, declared
   in the yml of the model that builds them), counts are whole numbers, and a hidden count is at least 1
   (zeros are published, and no rule hides a zero count). Given all that, every part 1-4 of a primary
   figure must be able to be 5 or more (the upper protection level is the threshold); where it cannot,
   the cheapest further figures are hidden (one small MILP per target, the same order of costs).
Only published figures count (version 3): a total over the areas is a figure only when some criterion
publishes it (`combined`, `combined_mean`, see `pooled_groups`); the total over the areas of a
criterion judged per area only is never published, so it neither reveals nor needs protecting.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipelines.privacy import intervals
from pipelines.privacy.hiding_reasons import COMPLEMENTARY, COUNT_UNITS, PRIMARY, SOURCE

if TYPE_CHECKING:
    from pipelines.privacy.relations import Relation

PERSON_MINIMUM = 5
AREA_GROUP_ROW = "combined"
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_DATE = re.compile(r"^(\d{4})-\d{2}-\d{2}$")
_UNBOUNDED = float("inf")


def is_small(value: float | None, numerator: float | None, denominator: float | None, unit: str | None) -> bool:
    """Primary suppression (rule 8): persons 1-4, or a share whose numerator or denominator is 1-4."""

    def small(number: float | None) -> bool:
        return number is not None and 0 < number < PERSON_MINIMUM

    return (unit in COUNT_UNITS and small(value)) or small(numerator) or small(denominator)


def judged_period(label: str) -> str:
    """The period a cell is judged in: a quarter and a stock date count for their year."""
    if match := _QUARTER.match(label) or _DATE.match(label):
        return match[1]
    return label


def areas_key(areas: Iterable[str]) -> str:
    """How a group of areas is named in the output (sorted, comma-separated), as dbt's string_agg does."""
    return ",".join(sorted(areas))


@dataclass(frozen=True)
class Cell:
    """A delivered figure at the finest grain."""

    row: str
    column: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    source_suppressed: bool = False


@dataclass
class Figure:
    """A published figure: a cell (one member) or a total (the sum of its members)."""

    area_key: str
    period: str
    areas_key: str
    members: tuple[int, ...]
    judged: bool
    quantities: tuple[float, ...] = ()
    primary: bool = False
    unknown: bool = False
    is_cell: bool = False
    size: float = 0.0
    hidden_because: str | None = None
    aliases: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Move:
    """+1/-1 on a few cells."""

    steps: tuple[tuple[int, int], ...]


class Table:
    """One source indicator in one judged period, with its totals; `protect` hides what rule 8 needs."""

    def __init__(self, cells: list[Cell], *, unit: str | None, rollup: str | None,
                 groups: Iterable[Iterable[str]], group_areas: Iterable[str], period: str) -> None:
        self.unit = unit
        self.period = period
        self.figures: list[Figure] = []
        self._keys: dict[tuple[str, str, str], int] = {}
        group_areas = set(group_areas)
        area_rows = {cell.row for cell in cells if cell.row in group_areas}
        self._area_rows = area_rows
        delivered_total = [cell for cell in cells if cell.row == AREA_GROUP_ROW] if area_rows else []
        self.cells = [cell for cell in cells if cell not in delivered_total]
        quarterly = all(_QUARTER.match(cell.column) for cell in self.cells)
        self.quarterly = quarterly
        judged_columns = self._judged_columns(rollup)
        for index, cell in enumerate(self.cells):
            self._add(cell.row, cell.column, "", (index,), judged=cell.column in judged_columns, is_cell=True)
        rows: dict[str, list[int]] = defaultdict(list)
        columns: dict[str, list[int]] = defaultdict(list)
        for index, cell in enumerate(self.cells):
            rows[cell.row].append(index)
            columns[cell.column].append(index)
        if quarterly and rollup == "sum":
            for row, members in rows.items():
                self._add(row, period, "", tuple(members), judged=True)
        group_list = {areas_key(group): tuple(sorted(group)) for group in groups if set(group) <= group_areas}
        if delivered_total:
            group_list[""] = tuple(sorted(area_rows))  # a delivered combined: the source's own total
        for key, group in sorted(group_list.items()):
            if not group:
                continue
            for column, members in sorted(columns.items()):
                in_group = tuple(i for i in members if self.cells[i].row in group)
                if {self.cells[i].row for i in in_group} == set(group):
                    self._add(AREA_GROUP_ROW, column, key, in_group, judged=column in judged_columns)
            if quarterly and rollup == "sum":
                in_group = tuple(i for i, cell in enumerate(self.cells) if cell.row in group)
                if {self.cells[i].row for i in in_group} == set(group):
                    self._add(AREA_GROUP_ROW, period, key, in_group, judged=True)
        self._alias_yearly_figures(rollup)
        for cell in delivered_total:
            self._deliver_total(cell)
        self._incidence: list[list[int]] = [[] for _ in self.cells]
        for figure_index, figure in enumerate(self.figures):
            for member in figure.members:
                self._incidence[member].append(figure_index)
            self._measure(figure)

    def _judged_columns(self, rollup: str | None) -> set[str]:
        columns = {cell.column for cell in self.cells}
        if not self.quarterly or rollup is None:
            return columns
        if rollup == "last":
            return {f"{self.period}Q4"} & columns
        return set()

    def _add(self, area_key: str, period: str, key: str, members: tuple[int, ...], *, judged: bool,
             is_cell: bool = False) -> None:
        if (area_key, period, key) in self._keys:
            return
        self._keys[(area_key, period, key)] = len(self.figures)
        self.figures.append(Figure(area_key, period, key, members, judged, is_cell=is_cell))

    def _alias_yearly_figures(self, rollup: str | None) -> None:
        """The yearly figure of a stock is its Q4 figure; of a stock date ('2017-10-01'), that date's."""
        for (area_key, period, key), index in list(self._keys.items()):
            yearly = (area_key, self.period, key)
            if yearly in self._keys or period == self.period:
                continue
            if (self.quarterly and rollup == "last" and period == f"{self.period}Q4") or (
                    not self.quarterly and _DATE.match(period)):
                self.figures[index].aliases.append(yearly)

    def _deliver_total(self, cell: Cell) -> None:
        """A delivered `combined` beside area rows is the source's total of them (the reader may assume so)."""
        index = self._keys.get((AREA_GROUP_ROW, cell.column, ""))
        if index is None:  # some area has no cell in this column: the total still holds the others
            members = tuple(i for i, other in enumerate(self.cells)
                            if other.column == cell.column and other.row in self._area_rows)
            self._add(AREA_GROUP_ROW, cell.column, "", members, judged=True)
            index = self._keys[(AREA_GROUP_ROW, cell.column, "")]
        figure = self.figures[index]
        figure.unknown = figure.unknown or cell.source_suppressed or cell.value is None
        if is_small(cell.value, cell.numerator, cell.denominator, self.unit):
            figure.primary = True

    def _measure(self, figure: Figure) -> None:
        members = [self.cells[i] for i in figure.members]
        figure.unknown = figure.unknown or any(cell.source_suppressed for cell in members)
        if self.unit in COUNT_UNITS:
            values = [cell.value or 0.0 for cell in members]
            figure.quantities = (sum(values),)
            figure.primary = figure.primary or is_small(sum(values), None, None, self.unit)
        else:
            parts = []
            for attribute in ("numerator", "denominator"):
                numbers = [getattr(cell, attribute) for cell in members]
                if numbers and all(number is not None for number in numbers):
                    parts.append(sum(numbers))
            figure.quantities = tuple(parts)
            numerator = sum(cell.numerator for cell in members if cell.numerator is not None)
            denominator = sum(cell.denominator for cell in members if cell.denominator is not None)
            has_numerator = any(cell.numerator is not None for cell in members)
            has_denominator = any(cell.denominator is not None for cell in members)
            figure.primary = figure.primary or is_small(None, numerator if has_numerator else None,
                                                        denominator if has_denominator else None, self.unit)
        figure.size = max((abs(cell.value) for cell in members if cell.value is not None), default=0.0) \
            if figure.is_cell else sum(abs(cell.value or 0.0) for cell in members)

    # ---- protection -------------------------------------------------------------------------------

    def _known_cells(self) -> list[int]:
        return [i for i, cell in enumerate(self.cells) if not cell.source_suppressed]

    def _moves(self) -> list[Move]:
        known = self._known_cells()
        at = {(self.cells[i].row, self.cells[i].column): i for i in known}
        rows = sorted({self.cells[i].row for i in known})
        columns = sorted({self.cells[i].column for i in known})
        moves = [Move(((i, 1),)) for i in known]
        for row in rows:
            for first, second in itertools.combinations(columns, 2):
                if (row, first) in at and (row, second) in at:
                    moves.append(Move(((at[row, first], 1), (at[row, second], -1))))
        for column in columns:
            for first, second in itertools.combinations(rows, 2):
                if (first, column) in at and (second, column) in at:
                    moves.append(Move(((at[first, column], 1), (at[second, column], -1))))
        for row_a, row_b in itertools.combinations(rows, 2):
            for col_a, col_b in itertools.combinations(columns, 2):
                corners = [(row_a, col_a), (row_a, col_b), (row_b, col_a), (row_b, col_b)]
                if all(corner in at for corner in corners):
                    moves.append(Move(tuple(zip((at[c] for c in corners), (1, -1, -1, 1), strict=True))))
        return moves

    def _net(self, move: Move) -> dict[int, int]:
        net: dict[int, int] = defaultdict(int)
        for cell, step in move.steps:
            for figure in self._incidence[cell]:
                net[figure] += step
        return {figure: change for figure, change in net.items() if change}

    def _bounds(self, figure: Figure, quantity: float) -> tuple[float, float]:
        """What a reader may know of a hidden cell: a primary count is 1-4; any other hidden cell is 0 or
        at least 5, so a zero cannot move and a 5 cannot go down. Of a hidden total nothing more than its
        cells tell (kpi_status gives one reason for every hidden value, primary or not)."""
        if not figure.is_cell:
            return 0.0, _UNBOUNDED
        if figure.primary:
            return (1.0, PERSON_MINIMUM - 1.0) if self.unit in COUNT_UNITS else (0.0, _UNBOUNDED)
        if quantity == 0:
            return 0.0, 0.0
        return float(PERSON_MINIMUM), _UNBOUNDED

    def _feasible(self, net: dict[int, int]) -> bool:
        """Both the table and the table changed by the move (in one direction) respect what a reader knows."""
        touched = [self.figures[i] for i in net if not self.figures[i].unknown]
        if not touched:
            return True
        for quantity in range(max(len(figure.quantities) for figure in touched)):
            if not any(self._within_bounds(net, quantity, direction) for direction in (1, -1)):
                return False
        return True

    def _within_bounds(self, net: dict[int, int], quantity: int, direction: int) -> bool:
        for index, change in net.items():
            figure = self.figures[index]
            if figure.unknown or len(figure.quantities) <= quantity:
                continue
            low, high = self._bounds(figure, figure.quantities[quantity])
            if not low <= figure.quantities[quantity] + direction * change <= high:
                return False
        return True

    def _cost(self, net: dict[int, int]) -> tuple[int, int, int, float]:
        judged = totals = cells = 0
        size = 0.0
        for index in net:
            figure = self.figures[index]
            if figure.hidden_because is not None:
                continue
            judged += figure.judged
            totals += not figure.judged and not figure.is_cell
            cells += figure.is_cell and not figure.judged
            size += figure.size
        return judged, totals, cells, size

    def protect(self) -> None:
        """Hide the primary figures and, for each, the figures of its cheapest protecting move."""
        for figure in self.figures:
            if figure.unknown:
                figure.hidden_because = SOURCE
            elif figure.primary:
                figure.hidden_because = PRIMARY
        targets = [i for i, figure in enumerate(self.figures) if figure.hidden_because == PRIMARY]
        if not targets:
            return
        moves = [(move, self._net(move)) for move in self._moves()]
        moves = [(move, net) for move, net in moves if self._feasible(net)]
        targets.sort(key=lambda i: (not self.figures[i].is_cell, self.figures[i].size, i))
        for target in targets:
            candidates = [(self._cost(net), position, net) for position, (_, net) in enumerate(moves)
                          if target in net]
            if not candidates:  # only when every cell is unknown: nothing published can reveal it
                continue  # (a single +1 on a primary cell, or on a positive member of a total, always fits)
            _, _, net = min(candidates, key=lambda candidate: (candidate[0], candidate[1]))
            for index in net:
                if self.figures[index].hidden_because is None:
                    self.figures[index].hidden_because = COMPLEMENTARY

    def hidden_keys(self) -> set[tuple[str, str, str]]:
        return {(figure.area_key, figure.period, figure.areas_key) for figure in self.figures
                if figure.hidden_because is not None}

    def hide(self, keys: set[tuple[str, str, str]]) -> None:
        """Hide these figures too (complementary): a linked table hides them. A zero count stays published
        (a reader knows every hidden count is at least 1)."""
        for figure in self.figures:
            zero_count = figure.is_cell and self.unit in COUNT_UNITS and figure.quantities == (0.0,)
            if figure.hidden_because is None and not zero_count and \
                    (figure.area_key, figure.period, figure.areas_key) in keys:
                figure.hidden_because = COMPLEMENTARY

    def published(self) -> list[tuple[str, str, str, bool, str | None]]:
        """(area_key, period, areas_key, hidden, reason) of every figure and of its yearly aliases."""
        out = []
        for figure in self.figures:
            hidden = figure.hidden_because is not None
            out.append((figure.area_key, figure.period, figure.areas_key, hidden, figure.hidden_because))
            out.extend((*alias, hidden, figure.hidden_because) for alias in figure.aliases)
        return out


POOLED_UNITS = frozenset({AREA_GROUP_ROW, "combined_mean"})


def pooled_groups(units: Iterable[Mapping], criterion_areas: Iterable[Mapping]
                  ) -> dict[tuple[str, str], set[tuple[str, ...]]]:
    """Per (source_system, indicator), the area sets whose total is published: those of the criteria with a
    `combined` or `combined_mean` unit. A criterion judged per area only publishes no total over its areas,
    and a figure never published can neither reveal a hidden cell nor need protecting (rule 8, version 3).

    units: criterion_id, area_key, source_system, indicator (stg_catalog__units); criterion_areas:
    criterion_id, area_key (stg_catalog__criterion_areas).
    """
    areas_of: dict[str, list[str]] = defaultdict(list)
    for row in criterion_areas:
        areas_of[row["criterion_id"]].append(row["area_key"])
    groups: dict[tuple[str, str], set[tuple[str, ...]]] = defaultdict(set)
    for row in units:
        if row["indicator"] is not None and row["area_key"] in POOLED_UNITS:
            groups[(row["source_system"], row["indicator"])].add(tuple(sorted(areas_of[row["criterion_id"]])))
    return dict(groups)


def suppress(records: Iterable[Mapping], *, groups: Mapping[tuple[str, str], Iterable[Iterable[str]]],
             rollups: Mapping[tuple[str, str], str], group_areas: Iterable[str],
             families: Mapping[tuple[str, str], str] | None = None,
             relations: Iterable[Relation] = ()) -> list[dict]:
    """Rule 8 over every table of `records` (measurement rows of person indicators).

    records: source_system, indicator, area_key, period, value, numerator, denominator, unit, suppressed.
    groups: per (source_system, indicator) the area sets a criterion pools (`combined`, `combined_mean`).
    rollups: per (source_system, indicator) of a quarterly indicator, `sum` (flow) or `last` (stock).
    group_areas: the area keys that groups are made of (the four areas).
    families: indicators that count the same persons (a count and the share it is the numerator of);
    a figure hidden in one table of a family and period is hidden in all of them, or the other table
    would publish it. Hiding more never un-protects a figure, so each table stays protected.
    relations: linear relations between indicators of one source (pipelines/privacy/relations.py); with
    them, rule 3 (the protection interval, pipelines/privacy/intervals.py) hides what else is needed.
    Returns one row per published figure: source_system, indicator, area_key, period, areas_key
    ('' for an area's or a delivered figure, the group's areas for a pooled one), judged_period,
    hidden, hidden_because (primary | source | complementary | None).
    """
    group_areas = frozenset(group_areas)
    families = families or {}
    by_table: dict[tuple[str, str, str], list[Mapping]] = defaultdict(list)
    for record in records:
        by_table[(record["source_system"], record["indicator"], judged_period(record["period"]))].append(record)
    tables: dict[tuple[str, str, str], Table] = {}
    for (source_system, indicator, period), rows in sorted(by_table.items()):
        cells = [Cell(row["area_key"], row["period"], row["value"], row.get("numerator"), row.get("denominator"),
                      bool(row.get("suppressed"))) for row in rows]
        table = Table(cells, unit=rows[0].get("unit"), rollup=rollups.get((source_system, indicator)),
                      groups=groups.get((source_system, indicator), ()), group_areas=group_areas, period=period)
        table.protect()
        tables[(source_system, indicator, period)] = table
    _share_within_families(tables, families)
    intervals.protect(tables, relations, _hide_complementary)
    out: list[dict] = []
    for (source_system, indicator, period), table in tables.items():
        for area_key, figure_period, key, hidden, reason in table.published():
            out.append({"source_system": source_system, "indicator": indicator, "area_key": area_key,
                        "period": figure_period, "areas_key": key, "judged_period": period,
                        "hidden": hidden, "hidden_because": reason})
    return out


def _hide_complementary(figure: Figure) -> None:
    if figure.hidden_because is None:
        figure.hidden_because = COMPLEMENTARY


def _share_within_families(tables: Mapping[tuple[str, str, str], Table], families: Mapping[tuple[str, str], str]
                           ) -> None:
    members: dict[tuple[str, str], list[Table]] = defaultdict(list)
    for (source_system, indicator, period), table in tables.items():
        family = families.get((source_system, indicator))
        if family is not None:
            members[(family, period)].append(table)
    for family_tables in members.values():
        hidden = {key for table in family_tables for key in table.hidden_keys()}
        for table in family_tables:
            table.hide(hidden)
