"""Wall time per stage of a run (start-up, discover, parse, validate, load, dbt, publish, report), and its marks.

Stages add their time here (`with timed("parse"): ...`); the flow logs the totals as one line at its end,
`Stage timings (s): {...}`, which the benchmark (bench/) reads from the run's log file. Costs nothing else.

Marks are moments of a run in seconds since its process started (as the flow's `start-up` counts):
`published` when the published file is in place, `report_done` when the board report is written or judged
current. Each is logged as it happens (`Run mark (s): {...}`) and again in the timings line.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

TIMINGS_PREFIX = "Stage timings (s): "
MARK_PREFIX = "Run mark (s): "
_totals: dict[str, float] = defaultdict(float)
_marks: dict[str, float] = {}
log = logging.getLogger(__name__)


@contextmanager
def timed(stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        _totals[stage] += time.perf_counter() - start


_run_started_at: float | None = None  # a process started ahead of its run (kpi watch's spare) sets this


def run_starts_now() -> None:
    """This process was started before its run was known (pipelines/operate/warm_run.py): count from now."""
    global _run_started_at
    _run_started_at = time.time()


def seconds_since_process_start() -> float | None:
    """Seconds since the process started, or since `run_starts_now` for a process that waited for its run."""
    if _run_started_at is not None:
        return time.time() - _run_started_at
    try:
        return _seconds_since_start_on_linux()
    except (OSError, ValueError, IndexError, AttributeError):  # not Linux: psutil's coarser figure
        pass
    import psutil

    try:
        return time.time() - psutil.Process().create_time()
    except (psutil.Error, OSError):  # a measurement must never fail a run
        return None


def _seconds_since_start_on_linux() -> float:
    """The process's age from the kernel's own clock: its start (read once) against CLOCK_BOOTTIME."""
    return time.clock_gettime(time.CLOCK_BOOTTIME) - _started_after_boot(os.getpid())


@cache
def _started_after_boot(pid: int) -> float:  # the pid is only the cache key
    """Seconds after boot at which this process started: its start in clock ticks (/proc/self/stat, field 22).

    Cached per pid: a forked child inherits the cache but has a start of its own. psutil's `create_time` adds the
    boot time of /proc/stat, which is whole seconds, so an age from it is too high by up to a second (0,99 s
    measured on the bench machine: every mark was late)."""
    stat = Path("/proc/self/stat").read_text(encoding="ascii")
    start_ticks = int(stat[stat.rindex(")") + 2:].split()[19])  # fields after the command name start at field 3
    return start_ticks / os.sysconf("SC_CLK_TCK")


def mark(name: str) -> float | None:
    """Note (and log at once) that this run reached `name` now; the seconds since the process started."""
    seconds = seconds_since_process_start()
    if seconds is None:
        return None
    _marks[name] = round(seconds, 3)
    log.info("%s%s", MARK_PREFIX, json.dumps({name: _marks[name]}))
    return _marks[name]


def log_totals(**extra: float) -> dict[str, float]:
    """Log this process's totals, marks (and `extra` stages) as one JSON line, then start over."""
    totals = {**{k: round(v, 3) for k, v in _totals.items()}, **_marks, **{k: round(v, 3) for k, v in extra.items()}}
    log.info("%s%s", TIMINGS_PREFIX, json.dumps(totals, sort_keys=True))
    _totals.clear()
    _marks.clear()
    return totals


def parse_timings(log_text: str) -> dict[str, float]:
    """The last timings line of a log file (marks included); or, when a run logged marks after it but ended
    without its own timings line, that run's marks alone."""
    timings: dict[str, float] = {}
    trailing_marks: dict[str, float] = {}
    for line in log_text.splitlines():
        if TIMINGS_PREFIX in line:
            timings, trailing_marks = json.loads(line.split(TIMINGS_PREFIX, 1)[1]), {}
        elif MARK_PREFIX in line:
            trailing_marks.update(json.loads(line.split(MARK_PREFIX, 1)[1]))
    return trailing_marks or timings
