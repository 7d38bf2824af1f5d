"""Wall time per stage of a run (start-up, discover, parse, validate, load, dbt, publish, report).

Stages add their time here (`with timed("parse"): ...`); the flow logs the totals as one line at its end,
`Stage timings (s): {...}`, which the benchmark (bench/) reads from the run's log file. Costs nothing else.
"""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

TIMINGS_PREFIX = "Stage timings (s): "
_totals: dict[str, float] = defaultdict(float)
log = logging.getLogger(__name__)


@contextmanager
def timed(stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        _totals[stage] += time.perf_counter() - start


def log_totals(**extra: float) -> dict[str, float]:
    """Log this process's totals (and `extra` stages) as one JSON line, then start over."""
    totals = {**{k: round(v, 3) for k, v in _totals.items()}, **{k: round(v, 3) for k, v in extra.items()}}
    log.info("%s%s", TIMINGS_PREFIX, json.dumps(totals, sort_keys=True))
    _totals.clear()
    return totals


def parse_timings(log_text: str) -> dict[str, float]:
    """The last timings line of a log file."""
    lines = [line.split(TIMINGS_PREFIX, 1)[1] for line in log_text.splitlines() if TIMINGS_PREFIX in line]
    return json.loads(lines[-1]) if lines else {}
