"""The report's data model: everything the board report shows, read from the published warehouse only.

One read-only connection, a handful of queries; the renderers (html, xlsx, pdf) never touch DuckDB.
With `as_of`, the statuses are those the board could have seen at the end of that day
(kpi_status_history); without it, the current kpi_status.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import duckdb

from pipelines.areas import ProgrammeAreas
from pipelines.report.changes import Change, status_changes
from pipelines.report.explain import BASELINE_SOURCE_DA, DIRECTION_DA, GRANULARITY_DA, KIND_DA, UNIT_DA
from pipelines.report.programme import ProgrammeHeading
from pipelines.report.vocabulary import AREA_DA, LEVEL_DA, LEVEL_ORDER, date_da

STATUS_COLUMNS = ["criterion_id", "area_key", "period", "value", "baseline_period", "baseline_value",
                  "target_value", "status", "status_reason", "data_as_of"]
GAP_COLUMNS = ["source_system", "criterion_id", "area_key", "period", "gap_type", "detail"]
OPTIONAL_GAP_COLUMNS = ["supplier", "due_date"]  # contract v2; shown once the warehouse has them
UNCHECKED_NOTE_DA = ("Tallet er ikke kontrolleret for små tal: kilden leverer andelen eller gennemsnittet uden"
                     " tæller og nævner, så det kan ikke ses, om det bygger på færre end 5 personer.")
# Statuses that say nothing about the latest value: a cell shows them only when nothing else is known.
UNEVALUATED = ("not_due", "missing_data")


class ReportDataError(RuntimeError):
    """The warehouse cannot give what the report was asked for (message in Danish)."""


@dataclass(frozen=True)
class StatusRow:
    criterion_id: str
    area_key: str
    period: str
    value: float | None
    baseline_period: str | None
    baseline_value: float | None
    target_value: float | None
    status: str
    status_reason: str
    data_as_of: date | None
    period_start: date | None = None


@dataclass(frozen=True)
class Baseline:
    area_key: str
    period: str | None
    value: float | None
    source: str | None

    @property
    def source_da(self) -> str:
        return BASELINE_SOURCE_DA.get(self.source or "", "ikke kendt endnu")


@dataclass
class Criterion:
    criterion_id: str
    level: str
    indsatsomraade: str
    text_da: str
    unit: str | None
    direction: str | None
    target_kind: str
    source_system: str | None
    granularity: str | None
    rows: list[StatusRow] = field(default_factory=list)
    baselines: list[Baseline] = field(default_factory=list)
    unchecked: bool = False  # a share/mean published without the counts rule 8 needs (unchecked_shares)
    # the programme's areas: the order and short names of its rows, columns and chart series
    programme_areas: ProgrammeAreas = field(default_factory=ProgrammeAreas.none, repr=False)

    @property
    def level_da(self) -> str:
        return LEVEL_DA.get(self.level, self.level)

    @property
    def rule_da(self) -> str:
        """The rule in words, from the catalog columns of `criteria`."""
        parts = [KIND_DA.get(self.target_kind, self.target_kind).capitalize()]
        if self.direction in DIRECTION_DA:
            parts.append(f"retning: {DIRECTION_DA[self.direction]}")
        if self.unit:
            parts.append(f"enhed: {UNIT_DA.get(self.unit, self.unit)}")
        parts.append(f"opgøres {GRANULARITY_DA.get(self.granularity or '', 'pr. område')}")
        return "; ".join(parts) + "."

    @property
    def has_source(self) -> bool:
        return bool(self.rows)

    @property
    def quantitative(self) -> bool:
        return self.target_kind != "qualitative" and any(r.value is not None for r in self.rows)

    @property
    def areas(self) -> list[str]:
        return sorted({r.area_key for r in self.rows}, key=self.programme_areas.sort_key)

    @property
    def latest(self) -> dict[str, StatusRow]:
        """area_key → the row the board sees: the newest evaluated period (not_due/missing_data only
        when there is nothing else)."""
        best: dict[str, StatusRow] = {}
        for row in self.rows:
            current = best.get(row.area_key)
            if current is None or _recency(row) > _recency(current):
                best[row.area_key] = row
        return {area: best[area] for area in sorted(best, key=self.programme_areas.sort_key)}


def _recency(row: StatusRow) -> tuple[bool, Any, str]:
    return (row.status not in UNEVALUATED, row.period_start or date.min, row.period)


@dataclass
class Section:
    name: str
    criteria: list[Criterion]
    programme_areas: ProgrammeAreas = field(default_factory=ProgrammeAreas.none, repr=False)

    @property
    def evaluated(self) -> list[Criterion]:
        return [c for c in self.criteria if c.has_source]

    @property
    def without_source(self) -> list[Criterion]:
        return [c for c in self.criteria if not c.has_source]

    @property
    def areas(self) -> list[str]:
        return sorted({a for c in self.criteria for a in c.areas}, key=self.programme_areas.sort_key)


@dataclass
class ReportData:
    generated_at: datetime
    as_of: date | None
    data_as_of: date | None
    last_load: datetime | None
    catalog_version: str
    area_names: dict[str, str]
    sections: list[Section]
    since: datetime | None
    since_label: str
    changes: list[Change]
    history_available: bool
    data_version: datetime | None  # newest valid_from the report saw; the next report's default --since
    gaps: list[dict[str, Any]]
    gap_columns: list[str]
    programme: ProgrammeHeading = field(default_factory=ProgrammeHeading)
    programme_areas: ProgrammeAreas = field(default_factory=ProgrammeAreas.none, repr=False)

    @property
    def criteria(self) -> list[Criterion]:
        return [c for s in self.sections for c in s.criteria]

    @property
    def areas(self) -> list[str]:
        return sorted({a for c in self.criteria for a in c.areas}, key=self.programme_areas.sort_key)

    def area_name(self, area_key: str) -> str:
        return self.area_names.get(area_key, area_key)

    def status_counts(self) -> dict[str, Counter]:
        """area_key → how many criteria show each status there (the latest cell per criterion)."""
        counts: dict[str, Counter] = {area: Counter() for area in self.areas}
        for criterion in self.criteria:
            for area, row in criterion.latest.items():
                counts[area][row.status] += 1
        return counts

    def criterion(self, criterion_id: str) -> Criterion | None:
        return next((c for c in self.criteria if c.criterion_id == criterion_id), None)


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = 'main' and table_name = ?"
        " order by ordinal_position", [table]).fetchall()]


def _records(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def end_of_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min) - timedelta(microseconds=1)


def status_rows(con: duckdb.DuckDBPyConnection, at: datetime | None) -> list[StatusRow]:
    """The kpi_status rows now, or (at) the versions valid at that moment in kpi_status_history."""
    has_start = "period_start" in _columns(con, "kpi_status")
    select = ", ".join([*STATUS_COLUMNS, "period_start" if has_start else "null as period_start"])
    if at is None:
        cursor = con.execute(f"select {select} from kpi_status")
    else:
        cursor = con.execute(
            f"select {select} from kpi_status_history where valid_from <= ? and (valid_to is null or valid_to > ?)",
            [at, at])
    return [StatusRow(**record) for record in _records(cursor)]


def read_criteria(con: duckdb.DuckDBPyConnection, areas: ProgrammeAreas) -> list[Criterion]:
    records = _records(con.execute(
        "select criterion_id, level, coalesce(indsatsomraade, 'Uden indsatsområde') as indsatsomraade, text_da,"
        " unit, direction, target_kind, nullif(source_system, 'none') as source_system, granularity"
        " from criteria"))
    return [Criterion(**record, programme_areas=areas) for record in records]


def read_baselines(con: duckdb.DuckDBPyConnection, areas: ProgrammeAreas) -> dict[str, list[Baseline]]:
    if not _columns(con, "kpi_baselines"):
        return {}
    baselines: dict[str, list[Baseline]] = {}
    for criterion_id, area_key, period, value, source in con.execute(
            "select criterion_id, area_key, baseline_period, baseline_value, baseline_source from kpi_baselines"
    ).fetchall():
        baselines.setdefault(criterion_id, []).append(Baseline(area_key, period, value, source))
    for items in baselines.values():
        items.sort(key=lambda b: areas.sort_key(b.area_key))
    return baselines


def read_unchecked(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The criteria judged on a share or mean that the source delivers without its counts: not checked
    for small cells (none when the warehouse predates the table)."""
    if not _columns(con, "unchecked_shares"):
        return set()
    return {c for (c,) in con.execute(
        "select distinct criterion_id from unchecked_shares where criterion_id is not null").fetchall()}


def read_gaps(con: duckdb.DuckDBPyConnection) -> tuple[list[dict[str, Any]], list[str]]:
    have = _columns(con, "data_gaps")
    columns = GAP_COLUMNS + [c for c in OPTIONAL_GAP_COLUMNS if c in have]
    return _records(con.execute(f"select {', '.join(columns)} from data_gaps")), columns


def previous_version(con: duckdb.DuckDBPyConnection, at: datetime | None) -> tuple[datetime | None, str]:
    """Just before the newest run that changed kpi_status, when there was an earlier one."""
    times = [t for (t,) in con.execute(
        "select distinct valid_from from kpi_status_history where ? is null or valid_from <= ?"
        " order by 1 desc limit 2", [at, at]).fetchall()]
    if len(times) < 2:
        return None, "Første version af datalageret: der er intet tidligere at sammenligne med."
    return times[0] - timedelta(microseconds=1), f"siden forrige version af datalageret ({date_da(times[1])})"


def group_sections(criteria: list[Criterion], areas: ProgrammeAreas) -> list[Section]:
    """One section per indsatsområde, in the order of the catalog's levels; criteria by level, then id."""
    def level_rank(level: str) -> int:
        return LEVEL_ORDER.index(level) if level in LEVEL_ORDER else len(LEVEL_ORDER)

    by_name: dict[str, list[Criterion]] = {}
    for criterion in sorted(criteria, key=lambda c: (level_rank(c.level), c.criterion_id)):
        by_name.setdefault(criterion.indsatsomraade, []).append(criterion)
    return [Section(name, items, areas) for name, items in by_name.items()]


def load_report_data(warehouse: Path, as_of: date | None = None, since: datetime | None = None,
                     since_label: str = "") -> ReportData:
    """Everything the report shows. `since`: compare with the statuses valid then (needs kpi_status_history)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        history_available = bool(_columns(con, "kpi_status_history"))
        if as_of is not None and not history_available:
            raise ReportDataError(f"Lageret {warehouse} har ingen kpi_status_history, så --as-of kan ikke bruges.")
        at = end_of_day(as_of) if as_of else None
        areas = ProgrammeAreas.from_published(con)
        rows = status_rows(con, at)
        if at is not None and not rows:
            first = con.execute("select min(valid_from) from kpi_status_history").fetchone()[0]
            raise ReportDataError(f"kpi_status_history i {warehouse} begynder {date_da(first)}; der er ingen"
                                  f" status ved udgangen af {date_da(as_of)}.")
        criteria = read_criteria(con, areas)
        by_id = {c.criterion_id: c for c in criteria}
        for row in rows:
            if row.criterion_id in by_id:
                by_id[row.criterion_id].rows.append(row)
        for criterion in criteria:
            criterion.rows.sort(key=lambda r: (areas.sort_key(r.area_key), r.period_start or date.min, r.period))
        for criterion_id, items in read_baselines(con, areas).items():
            if criterion_id in by_id:
                by_id[criterion_id].baselines = items
        for criterion_id in read_unchecked(con):
            if criterion_id in by_id:
                by_id[criterion_id].unchecked = True
        gaps, gap_columns = read_gaps(con) if as_of is None else ([], [])
        names = {**dict(con.execute("select area_key, name_da from areas").fetchall()), **AREA_DA}
        version = con.execute("select max(catalog_version) from criteria").fetchone()[0]
        last_load = con.execute(
            "select max(loaded_at) from load_ledger where ? is null or loaded_at <= ?", [at, at]).fetchone()[0]
        data_version = None
        changes: list[Change] = []
        if history_available:
            data_version = con.execute(
                "select max(greatest(valid_from, coalesce(valid_to, valid_from))) from kpi_status_history"
                " where ? is null or valid_from <= ?", [at, at]).fetchone()[0]
            first = con.execute("select min(valid_from) from kpi_status_history").fetchone()[0]
            if since is not None and first is not None and since < first:  # older than the history: rebuilt
                since = None
            if since is None:  # no previous report known: compare with the version before the latest change
                since, since_label = previous_version(con, at)
            if since is not None:
                changes = status_changes(status_rows(con, since), rows)
    return ReportData(
        generated_at=datetime.now().replace(microsecond=0), as_of=as_of,
        data_as_of=max((r.data_as_of for r in rows if r.data_as_of), default=None), last_load=last_load,
        catalog_version=str(version), area_names=names, sections=group_sections(criteria, areas),
        since=since if history_available else None, since_label=since_label, changes=changes,
        history_available=history_available, data_version=data_version, gaps=gaps, gap_columns=gap_columns,
        programme_areas=areas,
    )
