"""A watcher's hundredth run leaves no more behind than its tenth: files (its temporary folder, the warehouse's
folder), processes, open descriptors and memory (issue 24). Real runs of real drops: a corrected small
aggregate file whose figure crosses its criterion's target every other run, so that statuses change and the
board report is rendered each time (the report's fonts once leaked a folder per run).

Marked `bench`: far too slow for `make test` (about half a minute a run on 2 cores). Run it with
`KPI_WATCH_LEAK_RUNS=100 .venv/bin/pytest -q -p no:xdist -m bench tests/test_watch_leak.py -s`
(`make bench-fleet` runs every `bench` test); KPI_WATCH_LEAK_RUNS sets the runs (default 100, at least 4),
compared with run 10 (or the half, when fewer than 20).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipelines.operate.run_logging import KEEP_LOG_FILES
from tests.conftest import AS_OF, PublishedDemo
from tests.watch_helpers import (
    drop_aggregate,
    footprint,
    start_watcher,
    stop_watcher,
    wait_for,
    wait_until_spare_is_warm,
)

pytestmark = [pytest.mark.bench, pytest.mark.e2e]

RUNS = int(os.environ.get("KPI_WATCH_LEAK_RUNS", "100"))
EARLY_RUN = min(10, RUNS // 2)
RSS_SLACK_MIB = 8.0  # allocator noise; what a run adds for good (one content hash) is ~100 bytes


def test_the_last_run_leaves_no_more_behind_than_the_tenth(published_demo: PublishedDemo, tmp_path: Path) -> None:
    assert RUNS >= 4, "KPI_WATCH_LEAK_RUNS: at least 4 runs"
    demo = published_demo.copy_to(tmp_path / "demo")
    (temp_dir := tmp_path / "tmp").mkdir()
    log_dir = demo.warehouse.parent / "logs"
    log = tmp_path / "watch.log"
    watcher = start_watcher(demo.sources, demo.warehouse, log, {"TMPDIR": str(temp_dir)}, "--as-of", AS_OF)
    footprints = {}
    try:
        offset = wait_for(log, "Overvåger", watcher)
        for run in range(1, RUNS + 1):
            dropped = drop_aggregate(demo.sources / "inbox", run, met=run % 2 == 0)
            started = wait_for(log, f"Ny leverance: {dropped.name}", watcher, offset)
            published = wait_for(log, "Lageret er publiceret, ", watcher, started)
            offset = wait_for(log, "Statusændringer:", watcher, published)
            if run in (EARLY_RUN, RUNS):
                wait_until_spare_is_warm(watcher, log_dir)
                footprints[run] = footprint(watcher, temp_dir, demo.warehouse.parent)
                print(f"run {run}: {footprints[run]}")
        output = log.read_text(encoding="utf-8")
    finally:
        code = stop_watcher(watcher)
    assert code == 0
    early, late = footprints[EARLY_RUN], footprints[RUNS]
    assert output.count("Statusændringer: ingen.") == 0  # every run changed a status: every run rendered the report
    assert output.count("Kørslen er færdig, og lageret er publiceret.") == RUNS
    assert late.processes == early.processes == ("prefect-server", "spare")
    assert late.zombies == early.zombies == 0
    assert late.open_fds <= early.open_fds
    assert late.temp_entries <= early.temp_entries
    assert late.warehouse_files == early.warehouse_files
    assert late.log_files <= KEEP_LOG_FILES + 2  # the runs' logs are rotated; the watcher's log and the warm-up log
    assert late.rss_mib <= early.rss_mib + RSS_SLACK_MIB, (early.rss_mib, late.rss_mib)
    assert list(temp_dir.iterdir()) == []  # and nothing at all once it has stopped
