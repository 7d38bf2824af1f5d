"""`kpi status`: is the published warehouse fresh, did the last run fail, is a schedule active, who is late.

Freshness is judged on the last successful publication (run history, else the published file's
modification time: publish replaces the file atomically). A monitoring system calls `kpi status` and
alarms on a non-zero exit code: older than MAX_AGE (36 hours), or never published.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from pipelines.operate.history import last_publication, run_history
from pipelines.operate.lock import LockHolder, lock_path, read_holder
from pipelines.operate.prefect_api import ScheduleState, schedule_state
from pipelines.runtime.run_records import FAILED, RunRecord

MAX_AGE = timedelta(hours=36)
OVERDUE_GAP_TYPES = ("stale", "missing_delivery")
BOARD_GAP_TYPE = "needs_reading"


@dataclass(frozen=True)
class OverdueSource:
    source_system: str
    gap_types: list[str]
    gaps: int
    first_period: str | None = None
    last_period: str | None = None
    supplier: str | None = None
    due_date: date | None = None

    @property
    def periods_da(self) -> str:
        if self.first_period == self.last_period:
            return self.first_period or ""
        return f"{self.first_period}–{self.last_period}"


@dataclass(frozen=True)
class BoardDecision:
    """A figure no delivery can give (data_gaps `needs_reading`): the board must decide a reading."""

    criterion_id: str
    area_key: str
    source_system: str
    periods: int
    first_period: str
    last_period: str

    @property
    def periods_da(self) -> str:
        return self.first_period if self.first_period == self.last_period else f"{self.first_period}–{self.last_period}"


@dataclass(frozen=True)
class ScheduleAnswer:
    """What the Prefect server said; `reachable` False means it did not answer at all."""

    api_url: str
    reachable: bool
    state: ScheduleState | None = None
    error: str | None = None


@dataclass
class StatusReport:
    warehouse: Path
    now: datetime
    published_at: datetime | None
    published_from: str  # "kørselsloggen" | "filens tidsstempel" | ""
    last_run: RunRecord | None
    schedule: ScheduleAnswer
    overdue: list[OverdueSource] = field(default_factory=list)
    board: list[BoardDecision] = field(default_factory=list)
    running: LockHolder | None = None
    unreadable: str | None = None  # the published file cannot be opened: why
    set_aside: list[Path] = field(default_factory=list)  # damaged state files a run set aside (state_check.py)

    @property
    def age(self) -> timedelta | None:
        return self.now - self.published_at if self.published_at else None

    @property
    def too_old(self) -> bool:
        return self.age is None or self.age > MAX_AGE

    @property
    def last_run_failed(self) -> bool:
        """The last run failed, or was killed before it could record its end (and is not running now)."""
        return self.last_run is not None and self.last_run.outcome == FAILED and self.running is None


def local_naive(moment: datetime) -> datetime:
    """Run records hold local wall-clock time; aware times are turned into that too."""
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment


def _published_at(warehouse: Path, runs: list[RunRecord]) -> tuple[datetime | None, str]:
    publication = last_publication(runs)
    if publication is not None:
        return local_naive(publication.finished_at or publication.started_at), "kørselsloggen"
    if warehouse.is_file():
        return datetime.fromtimestamp(warehouse.stat().st_mtime), "filens tidsstempel"
    return None, ""


def overdue_sources(warehouse: Path, today: date) -> list[OverdueSource]:
    """Sources with stale or missing deliveries in the published `data_gaps`, one line per source.

    Uses `supplier` and `due_date` (contract v2) where the file has them: a gap whose due date is still
    ahead is not overdue yet.
    """
    import duckdb

    if not warehouse.is_file():
        return []
    return _overdue_rows(duckdb.connect(str(warehouse), read_only=True), today)


def board_decisions(warehouse: Path) -> list[BoardDecision]:
    """The published `needs_reading` gaps, one line per criterion and figure (contract v3; none in older files)."""
    import duckdb

    if not warehouse.is_file():
        return []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select criterion_id, area_key, source_system, count(*), min(period), max(period) from data_gaps "
            f"where gap_type = '{BOARD_GAP_TYPE}' group by all order by criterion_id, area_key").fetchall()
    return [BoardDecision(*row) for row in rows]


def _overdue_rows(connection, today: date) -> list[OverdueSource]:
    with connection as con:
        columns = {row[0] for row in con.execute(
            "select column_name from information_schema.columns where table_name = 'data_gaps'").fetchall()}
        if not columns:
            return []
        supplier = "min(supplier)" if "supplier" in columns else "null"
        due_date = "min(due_date)" if "due_date" in columns else "null"
        not_ahead = "(due_date is null or due_date <= ?)" if "due_date" in columns else "? is not null"
        rows = con.execute(
            f"select source_system, list(distinct gap_type order by gap_type), count(*), min(period), max(period), "
            f"{supplier}, {due_date} "
            f"from data_gaps where gap_type in {OVERDUE_GAP_TYPES} and source_system is not null and {not_ahead} "
            "group by source_system order by source_system", [today]).fetchall()
    return [OverdueSource(source, list(types), gaps, first, last, supplier_name, due)
            for source, types, gaps, first, last, supplier_name, due in rows]


def lock_is_held(lock_file: Path, proc_locks: Path = Path("/proc/locks")) -> bool | None:
    """Whether some process holds the flock on `lock_file`, read from /proc/locks (None where there is none).

    Looking, not trying: taking the lock to test it could make a run that starts at that moment skip itself.
    """
    try:
        info = lock_file.stat()
        lines = proc_locks.read_text(encoding="ascii").splitlines()
    except OSError:
        return None
    wanted = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    return any(len(fields) > 5 and fields[1] == "FLOCK" and fields[5] == wanted
               for fields in (line.split() for line in lines))


def running_holder(warehouse: Path, runs: list[RunRecord]) -> LockHolder | None:
    """Who runs the nightly now: the last run has no end yet and its lock is held."""
    if not runs or runs[-1].finished_at is not None:
        return None
    lock_file = lock_path(warehouse)
    held = lock_is_held(lock_file)
    holder = read_holder(lock_file)
    if held is None:  # no /proc/locks: fall back on whether the holder's process is alive
        import psutil

        held = holder is not None and psutil.pid_exists(holder.pid)
    return holder if held else None


def ask_schedule(api_url: str) -> ScheduleAnswer:
    import httpx

    try:
        return ScheduleAnswer(api_url, True, schedule_state(api_url))
    except httpx.HTTPStatusError as exc:
        return ScheduleAnswer(api_url, True, error=f"HTTP {exc.response.status_code}")
    except httpx.HTTPError:
        return ScheduleAnswer(api_url, False)


def _set_aside(warehouse: Path) -> list[Path]:
    """What runs set aside beside the warehouse and in Prefect's home (kept until the operator removes them)."""
    from pipelines.operate.state_check import set_aside_files
    from pipelines.settings import current_prefect_home

    return [*set_aside_files(warehouse.parent), *set_aside_files(current_prefect_home())]


def collect_status(warehouse: Path, api_url: str, now: datetime | None = None) -> StatusReport:
    now = now or datetime.now()
    runs = run_history(warehouse)
    published_at, published_from = _published_at(warehouse, runs)
    import duckdb

    report = StatusReport(warehouse=warehouse, now=now, published_at=published_at, published_from=published_from,
                          last_run=runs[-1] if runs else None, schedule=ask_schedule(api_url),
                          running=running_holder(warehouse, runs), set_aside=_set_aside(warehouse))
    try:
        report.overdue = overdue_sources(warehouse, now.date())
        report.board = board_decisions(warehouse)
    except duckdb.Error as exc:  # a damaged file is no publication anyone can use
        report.unreadable = str(exc).splitlines()[0]
    return report
