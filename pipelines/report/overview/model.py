"""What the overview shows, read from each programme's published DuckDB file (read-only)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines.publish.programmes import Programme
from pipelines.report.paths import REPORT_STEM, nightly_report_dir
from pipelines.report.vocabulary import AREA_DA

STATE_FILE_NAME = ".oversigt_state.json"
NO_AREA_DA = "Uden indsatsområde"

# Each criterion and area at its newest period that is due: the status the board sees now.
CURRENT_STATUSES = f"""
    with ranked as (
        select s.criterion_id, s.area_key, s.period, s.status,
               coalesce(c.indsatsomraade, '{NO_AREA_DA}') as indsatsomraade,
               row_number() over (partition by s.criterion_id, s.area_key
                                  order by s.period_end desc nulls last, s.period desc) as newest
        from kpi_status as s
        join criteria as c on c.criterion_id = s.criterion_id
        where s.status <> 'not_due'
    )
    select criterion_id, area_key, period, status, indsatsomraade from ranked where newest = 1
"""
OPEN_GAPS = "select coalesce(supplier, 'Ukendt leverandør') as supplier, gap_type, count(*) from data_gaps group by all"


@dataclass(frozen=True)
class Change:
    criterion_id: str
    area_key: str
    old_status: str | None
    new_status: str


@dataclass
class ProgrammeOverview:
    plan_id: str
    name: str
    published: bool
    status_counts: dict[str, Counter[str]] = field(default_factory=dict)  # indsatsområde → status → rows
    gaps: dict[str, Counter[str]] = field(default_factory=dict)  # supplier → gap type → rows
    changes: list[Change] = field(default_factory=list)
    first_overview: bool = True
    report_link: str | None = None
    current: dict[str, str] = field(default_factory=dict)  # "criterion|area" → status, for the next overview
    area_names: dict[str, str] = field(default_factory=dict)

    @property
    def totals(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for counts in self.status_counts.values():
            total.update(counts)
        return total


@dataclass(frozen=True)
class Overview:
    generated_at: datetime
    previous_at: datetime | None
    programmes: list[ProgrammeOverview]

    @property
    def indsatsomraader(self) -> list[str]:
        return sorted({name for p in self.programmes for name in p.status_counts})


def read_state(out_dir: Path) -> dict:
    try:
        return json.loads((out_dir / STATE_FILE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_state(out_dir: Path, overview: Overview) -> None:
    state = {"generated_at": overview.generated_at.isoformat(),
             "programmes": {p.plan_id: p.current for p in overview.programmes if p.published}}
    (out_dir / STATE_FILE_NAME).write_text(json.dumps(state, ensure_ascii=False, sort_keys=True), encoding="utf-8")


def _programme(programme: Programme, previous: dict[str, str] | None, out_dir: Path) -> ProgrammeOverview:
    result = ProgrammeOverview(programme.plan_id, programme.name, published=programme.warehouse.is_file())
    report = nightly_report_dir(programme.warehouse) / f"{REPORT_STEM}.html"
    if report.is_file():
        result.report_link = Path(_relative(report, out_dir)).as_posix()
    if not result.published:
        return result
    with duckdb.connect(str(programme.warehouse), read_only=True) as con:
        for criterion_id, area_key, _period, status, indsatsomraade in con.execute(CURRENT_STATUSES).fetchall():
            result.status_counts.setdefault(indsatsomraade, Counter())[status] += 1
            result.current[f"{criterion_id}|{area_key}"] = status
        result.area_names = {**dict(con.execute("select area_key, name_da from areas").fetchall()), **AREA_DA}
        for supplier, gap_type, rows in con.execute(OPEN_GAPS).fetchall():
            result.gaps.setdefault(supplier, Counter())[gap_type] += rows
    if previous is not None:
        result.first_overview = False
        for key, status in sorted(result.current.items()):
            if previous.get(key) != status:
                criterion_id, area_key = key.split("|", 1)
                result.changes.append(Change(criterion_id, area_key, previous.get(key), status))
    return result


def _relative(path: Path, start: Path) -> str:
    import os

    return os.path.relpath(path.resolve(), start.resolve())


def load_overview(programmes: list[Programme], out_dir: Path, now: datetime | None = None) -> Overview:
    state = read_state(out_dir)
    previous = state.get("programmes", {})
    previous_at = datetime.fromisoformat(state["generated_at"]) if "generated_at" in state else None
    return Overview(now or datetime.now().replace(microsecond=0), previous_at,
                    [_programme(p, previous.get(p.plan_id), out_dir) for p in programmes])
