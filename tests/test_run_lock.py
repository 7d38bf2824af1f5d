"""One run per warehouse (flock), and the run log behind `load_runs`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from pipelines.operate.lock import RunLock, RunLocked, lock_path
from pipelines.runtime.run_records import (
    LOAD_RUNS_COLUMNS,
    UNFINISHED_MESSAGE,
    RunRecord,
    append_run,
    read_runs,
    record_start,
    runlog_path,
)

HOLD_LOCK = """
import sys, time
from pathlib import Path
from pipelines.operate.lock import RunLock
RunLock(Path(sys.argv[1])).acquire()
print("locked", flush=True)
time.sleep(600)
"""


def test_a_second_lock_on_the_same_warehouse_is_refused_with_the_holder(tmp_path: Path) -> None:
    warehouse = tmp_path / "kpi.duckdb"
    with RunLock(warehouse):
        with pytest.raises(RunLocked) as caught:
            RunLock(warehouse).acquire()
        holder = caught.value.holder
        assert holder is not None and holder.pid == os.getpid()
        assert abs((datetime.now() - holder.started_at).total_seconds()) < 120
        assert f"proces {os.getpid()} på " in str(caught.value)
        assert "Denne kørsel er sprunget over" in str(caught.value)
        RunLock(tmp_path / "other.duckdb").acquire().release()  # another warehouse is not affected
    RunLock(warehouse).acquire().release()


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    warehouse = tmp_path / "kpi.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(warehouse)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(RunLocked) as caught:
            RunLock(warehouse).acquire()
        assert caught.value.holder is not None and caught.value.holder.pid == holder.pid
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert lock_path(warehouse).is_file()  # the file stays; the kernel released the lock with the process
    RunLock(warehouse).acquire().release()


def test_the_last_line_of_a_run_wins_and_an_unfinished_run_reads_as_failed(tmp_path: Path) -> None:
    warehouse = tmp_path / "kpi.duckdb"
    first = RunRecord(datetime(2026, 12, 1, 2, 0))
    record_start(warehouse, first)
    killed = RunRecord(datetime(2026, 12, 1, 3, 0))
    record_start(warehouse, killed)
    append_run(warehouse, RunRecord(first.started_at, datetime(2026, 12, 1, 2, 1), "published_with_rejections",
                                    10, 1, 2, "Indlæst 10 filer.", run_id=first.run_id))
    with runlog_path(warehouse).open("a", encoding="utf-8") as torn:
        torn.write('{"started_at": "2026-12-01T04:00:00", "outc')  # killed mid-write
    runs = read_runs(warehouse)
    assert [r.run_id for r in runs] == [first.run_id, killed.run_id]
    assert runs[0].as_row() == (first.run_id, datetime(2026, 12, 1, 2, 0), datetime(2026, 12, 1, 2, 1),
                                "published_with_rejections", 10, 1, 2, "Indlæst 10 filer.")
    assert (runs[1].outcome, runs[1].finished, runs[1].message) == ("failed", False, UNFINISHED_MESSAGE)
    assert len(runs[0].as_row()) == len(LOAD_RUNS_COLUMNS)


def test_an_unknown_outcome_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown run outcome"):
        append_run(tmp_path / "kpi.duckdb", RunRecord(datetime.now(), outcome="maybe"))
    assert read_runs(tmp_path / "kpi.duckdb") == []


def test_concurrent_appends_never_interleave(tmp_path: Path) -> None:
    warehouse = tmp_path / "kpi.duckdb"
    script = ("import sys; from datetime import datetime; from pathlib import Path;"
              "from pipelines.runtime.run_records import RunRecord, append_run\n"
              "for i in range(200): append_run(Path(sys.argv[1]), RunRecord(datetime.now(), datetime.now(),"
              " 'skipped_locked', message='x' * 3000))")
    writers = [subprocess.Popen([sys.executable, "-c", script, str(warehouse)]) for _ in range(3)]
    deadline = time.monotonic() + 120
    for writer in writers:
        writer.wait(timeout=max(1, deadline - time.monotonic()))
    assert len(read_runs(warehouse)) == 600


def test_the_flow_function_itself_takes_the_lock(tmp_path: Path) -> None:
    """`flow.serve()` runs the flow function, not the CLI: the lock must be taken inside it."""
    from pipelines.flows.nightly import nightly_flow

    warehouse = tmp_path / "warehouse" / "kpi.duckdb"
    with RunLock(warehouse):
        result = nightly_flow.fn(str(tmp_path / "sources"), str(warehouse), "2026-11-23", "run-under-test")
    assert (result.outcome, result.exit_code, result.published) == ("skipped_locked", 5, False)
    assert result.locked_by is not None and result.locked_by.pid == os.getpid()
    [record] = read_runs(warehouse)
    assert (record.run_id, record.outcome, record.finished) == ("run-under-test", "skipped_locked", True)
    assert record.message.startswith("En anden natkørsel er i gang for dette lager (proces ")
    assert not (warehouse.parent / "kpi.internal.duckdb.build").exists()
