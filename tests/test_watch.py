"""`kpi watch`: settling, the no-retry rule and the run loop without subprocesses; then end to end.

The end-to-end test starts `kpi watch` on a copy of the published demo, drops a new person-level quarter,
drops a bad file while that run is going, and stops the watcher with SIGINT.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psutil
import pytest

from pipelines.exit_codes import ExitCode
from pipelines.operate.prefect_api import is_healthy
from pipelines.operate.watch import (
    RunResult,
    SettleTracker,
    TriedContents,
    Watcher,
    describe_status_changes,
    is_delivery_candidate,
    status_changes,
)
from tests.conftest import PublishedDemo
from tests.watch_helpers import (
    WAIT_SECONDS,
    descendants,
    drop_aggregate,
    footprint,
    nightly_flow_runs,
    process_kind,
    run_logs,
    server_url,
    start_watcher,
    stop_watcher,
    wait_for,
    wait_until_spare_is_warm,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_file_is_ready_only_once_it_has_stopped_growing() -> None:
    clock, sizes = FakeClock(), {Path("/in/a.csv"): (10, 1)}
    tracker = SettleTracker(settle_seconds=1.5, clock=clock, stat=sizes.get)
    tracker.saw([Path("/in/a.csv")])
    clock.now += 1.0
    assert tracker.ready() == []
    sizes[Path("/in/a.csv")] = (20, 2)  # still being written: the wait starts over
    clock.now += 1.0
    assert tracker.ready() == []
    clock.now += 1.4
    assert tracker.ready() == []
    clock.now += 0.1
    assert tracker.ready() == [Path("/in/a.csv")]
    assert tracker.ready() == [] and not tracker.waiting  # handed out once


def test_a_vanished_or_lock_file_is_never_ready() -> None:
    clock, stats = FakeClock(), {Path("/in/a.csv"): (1, 1), Path("/in/~$b.xlsx"): (1, 1)}
    tracker = SettleTracker(settle_seconds=1, clock=clock, stat=stats.get)
    tracker.saw(stats)
    del stats[Path("/in/a.csv")]
    clock.now += 5
    assert tracker.ready() == [] and not tracker.waiting


@pytest.mark.parametrize(("name", "candidate"), [
    ("police_2025_20260214.csv", True), ("~$own.xlsx", False), (".~lock.own.xlsx#", False),
    (".hidden.csv", False), ("upload.csv.part", False), ("x.tmp", False)])
def test_delivery_candidates(name: str, candidate: bool) -> None:
    assert is_delivery_candidate(Path(name)) is candidate


def test_tried_contents_are_not_new_until_they_change(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("a;b\n1;2\n")
    tried = TriedContents()
    first = tried.new_files([path, tmp_path / "missing.csv"])
    assert list(first) == [path]
    tried.remember(first.values())
    path.write_text("a;b\n1;2\n")  # rewritten, same content
    assert tried.new_files([path]) == {}
    path.write_text("a;b\n1;3\n")
    assert list(tried.new_files([path])) == [path]


def test_status_changes_are_counted_by_transition() -> None:
    before = {("c1", "a", "2020"): "met", ("c2", "a", "2020"): "missing_data", ("c3", "a", "2020"): "met"}
    after = {("c1", "a", "2020"): "not_met", ("c2", "a", "2020"): "met", ("c3", "a", "2020"): "met",
             ("c2", "a", "2021"): "not_due"}
    counts = status_changes(before, after)
    assert counts == {("met", "not_met"): 1, ("missing_data", "met"): 1, ("", "not_due"): 1}
    assert describe_status_changes(counts).startswith("Statusændringer: 3 (")
    assert describe_status_changes({}) == "Statusændringer: ingen."


class FakeRunner:
    """Stands in for the `kpi nightly` subprocess: returns the next exit code, or raises."""

    def __init__(self, *outcomes: int | Exception) -> None:
        self.outcomes = list(outcomes)
        self.calls = 0

    def __call__(self, arguments: list[str], stop: threading.Event, while_running) -> RunResult:
        self.calls += 1
        self.arguments = arguments
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return RunResult(outcome, "Indlæst: 0 filer, dubletter: 0, afvist: 1.\nAfvist: fejl i filen\n", 1.0)


def _watcher(tmp_path: Path, runner: FakeRunner, clock: FakeClock, said: list[str]) -> tuple[Watcher, Path]:
    sources = tmp_path / "sources"
    (sources / "inbox" / "police_haervaerk").mkdir(parents=True)
    watcher = Watcher(sources, tmp_path / "kpi.duckdb", threading.Event(), said.append, runner=runner,
                      tracker=SettleTracker(settle_seconds=1, clock=clock), clock=clock, locked_retry_seconds=30)
    return watcher, sources / "inbox" / "police_haervaerk" / "police_haervaerk_2026_20270214.csv"


def _drop(watcher: Watcher, clock: FakeClock, path: Path, text: str) -> RunResult | None:
    path.write_text(text)
    watcher.changed([path])
    clock.now += 2
    return watcher.tick()


@pytest.mark.parametrize("failure", [4, 3, RuntimeError("boom")])
def test_a_failing_file_is_not_run_again_until_it_changes(tmp_path: Path, failure: int | Exception) -> None:
    clock, said, runner = FakeClock(), [], FakeRunner(failure, 0)
    watcher, path = _watcher(tmp_path, runner, clock, said)
    _drop(watcher, clock, path, "bad")
    assert runner.calls == 1
    assert _drop(watcher, clock, path, "bad") is None  # touched, same content: no second run
    assert runner.calls == 1
    assert any("køres ikke igen: police_haervaerk_2026_20270214.csv" in line for line in said)
    result = _drop(watcher, clock, path, "corrected")
    assert runner.calls == 2 and result is not None and result.exit_code == 0


def test_the_outcome_is_printed_in_danish(tmp_path: Path) -> None:
    clock, said = FakeClock(), []
    watcher, path = _watcher(tmp_path, FakeRunner(3), clock, said)
    _drop(watcher, clock, path, "bad")
    assert said[0] == "Ny leverance: police_haervaerk_2026_20270214.csv. Natkørslen starter."
    assert "Afvist: fejl i filen" in said
    assert said[-2].startswith("Kørslen er færdig; en eller flere filer blev afvist")
    assert said[-1] == "Statusændringer: ingen."


def test_a_locked_warehouse_holds_the_batch_until_the_retry(tmp_path: Path) -> None:
    clock, said, runner = FakeClock(), [], FakeRunner(ExitCode.LOCKED, 0)
    watcher, path = _watcher(tmp_path, runner, clock, said)
    _drop(watcher, clock, path, "new")
    assert runner.calls == 1
    clock.now += 10
    assert watcher.tick() is None and runner.calls == 1
    clock.now += 25
    result = watcher.tick()
    assert runner.calls == 2 and result is not None and result.exit_code == 0


def test_a_file_already_in_the_ledger_starts_no_run(tmp_path: Path) -> None:
    import duckdb

    from pipelines.delivery.discover import sha256_of

    clock, said, runner = FakeClock(), [], FakeRunner(0)
    watcher, path = _watcher(tmp_path, runner, clock, said)
    path.write_text("loaded before")
    with duckdb.connect(str(watcher.warehouse)) as con:
        con.execute("create table load_ledger as select ? as file_name, ? as sha256", [path.name, sha256_of(path)])
    assert _drop(watcher, clock, path, "loaded before") is None and runner.calls == 0
    assert said == ["Allerede i lagerets indlæsningslog med samme indhold (se 'kpi deliveries'): "
                    "police_haervaerk_2026_20270214.csv."]
    assert _drop(watcher, clock, path, "corrected") is not None and runner.calls == 1


def test_only_the_drop_folders_count(tmp_path: Path) -> None:
    clock, said, runner = FakeClock(), [], FakeRunner(0)
    watcher, _ = _watcher(tmp_path, runner, clock, said)
    reference = watcher.sources / "reference" / "areas.csv"
    reference.parent.mkdir()
    reference.write_text("x")
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("x")
    watcher.changed([reference, outside, watcher.sources / "inbox"])
    clock.now += 5
    assert watcher.tick() is None and runner.calls == 0


def test_serve_runs_for_a_dropped_file_and_stops_on_the_event(tmp_path: Path) -> None:
    from pipelines.operate.watch import serve

    said: list[str] = []
    runner = FakeRunner(0, 0)
    watcher, path = _watcher(tmp_path, runner, FakeClock(), said)
    watcher.tracker = SettleTracker(settle_seconds=0.5)
    ready = threading.Event()
    thread = threading.Thread(target=serve, args=(watcher, 100, ready.set))
    thread.start()
    try:
        assert ready.wait(60)  # the folders are watched: a file written from now on is seen
        path.write_text("a new delivery")
        (watcher.sources / "reference").mkdir()
        (watcher.sources / "reference" / "areas.csv").write_text("not a drop folder")
        deadline = time.monotonic() + 60
        while runner.calls == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        watcher.stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert runner.calls == 1
    assert said[0] == "Ny leverance: police_haervaerk_2026_20270214.csv. Natkørslen starter."


def test_a_stop_ends_the_run_and_its_whole_process_group(tmp_path: Path) -> None:
    from pipelines.operate.watch import run_nightly

    marker = tmp_path / "started"
    sleeper = f"import time; time.sleep(600)  # {uuid.uuid4().hex}"  # this test's own: another worker's may sleep too
    script = ("import pathlib, subprocess, sys, time\n"
              f"subprocess.Popen([sys.executable, '-c', {sleeper!r}])\n"
              f"pathlib.Path({str(marker)!r}).write_text('x')\n"
              "print('kørslen er i gang', flush=True)\n"
              "time.sleep(600)\n")
    stop = threading.Event()
    results: list[RunResult] = []
    thread = threading.Thread(target=lambda: results.append(run_nightly([sys.executable, "-c", script], stop)))
    thread.start()
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert marker.exists()
    stop.set()
    thread.join(timeout=90)
    assert not thread.is_alive()
    [result] = results
    assert result.exit_code is None and "kørslen er i gang" in result.output
    assert _processes_mentioning(sleeper) == []


def test_the_wait_for_a_group_ends_only_when_no_member_runs() -> None:
    from pipelines.operate.watch import wait_for_group_end

    leader = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True)
    try:
        assert wait_for_group_end(leader.pid, timeout=0.3) is False  # still running: the wait gives up, and says so
        os.killpg(leader.pid, signal.SIGKILL)
        assert wait_for_group_end(leader.pid) is True  # a zombie left for its parent to reap no longer runs
        assert psutil.Process(leader.pid).status() == psutil.STATUS_ZOMBIE
    finally:
        leader.kill()
        leader.wait()


@pytest.mark.e2e  # it starts its Prefect server and a spare run process
def test_kpi_watch_stops_on_sigterm_leaving_no_process_or_file(tmp_path: Path) -> None:
    (tmp_path / "sources" / "inbox").mkdir(parents=True)
    (temp_dir := tmp_path / "tmp").mkdir()
    log = tmp_path / "watch.log"
    watcher = start_watcher(tmp_path / "sources", tmp_path / "w" / "kpi.duckdb", log, {"TMPDIR": str(temp_dir)})
    try:
        wait_for(log, "Overvåger", watcher)  # its server and its spare are started by then (here: stopped warming up)
        started = descendants(watcher.pid)
        assert sorted(process_kind(p) for p in started) == ["prefect-server", "spare"]
    finally:
        assert stop_watcher(watcher, signal.SIGTERM) == 0
    assert "Overvågningen er stoppet." in log.read_text(encoding="utf-8")
    assert not any(_alive(process) for process in started)
    assert list(temp_dir.iterdir()) == []  # the spare's temporary folder went with it


def test_kpi_watch_without_an_inbox_says_so_in_danish(tmp_path: Path) -> None:
    from tests.conftest import run_kpi

    done = run_kpi("watch", "--sources", str(tmp_path / "findes_ikke"), "--warehouse", str(tmp_path / "kpi.duckdb"))
    assert done.returncode == 4
    assert "Overvågningen er ikke startet" in done.stderr and "Traceback" not in done.stderr + done.stdout


def test_kpi_watch_help_is_danish() -> None:
    from tests.conftest import run_kpi

    done = run_kpi("watch", "--help")
    assert done.returncode == 0
    assert "Overvåg SOURCES/inbox/" in done.stdout and "startet i forvejen" in done.stdout


def _wait_for_run_stage(demo: PublishedDemo, stage: str, process: subprocess.Popen, log: Path) -> None:
    """Bounded wait until a run's log (newer than the first build's) shows `stage`."""
    logs = demo.warehouse.parent / "logs"
    first_build = set(logs.glob("*.log"))
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if any(stage in path.read_text(encoding="utf-8") for path in set(logs.glob("*.log")) - first_build):
            return
        assert process.poll() is None, log.read_text(encoding="utf-8")
        time.sleep(0.5)
    pytest.fail(f"no run reached '{stage}' within {WAIT_SECONDS} s:\n{log.read_text(encoding='utf-8')}")


def _measurements(demo: PublishedDemo, *without_sources: str) -> list[tuple]:
    return sorted(demo.query("select * exclude (loaded_at) from measurements where not list_contains(?, "
                             "source_system)", [list(without_sources)]), key=repr)


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if text in cmdline:
            found.append(cmdline)
    return found


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _runs(output: str, first: str, *later: str) -> list[str]:
    """The watcher's output cut at each run's "Ny leverance" line."""
    marks = [output.index(f"Ny leverance: {name}") for name in (first, *later)]
    return [output[start:end] for start, end in zip(marks, [*marks[1:], len(output)], strict=True)]


@pytest.mark.slow
@pytest.mark.e2e
def test_kpi_watch_end_to_end(published_demo: PublishedDemo, tmp_path: Path) -> None:
    """A bad file, a new quarter dropped during that run, then two corrected aggregate files: rejected with its
    message and nothing changed, the quarter published (told before its report), every run on the watcher's
    one Prefect server, and the fourth run leaving nothing more behind than the second."""
    from bench.run import next_quarter_delivery
    from tests.conftest import AS_OF

    demo = published_demo.copy_to(tmp_path / "demo")
    before = _measurements(demo, "school_absence", "web_analytics")
    logs = demo.warehouse.parent / "logs"
    first_build_logs = set(logs.glob("kpi-nightly-*.log"))
    (temp_dir := tmp_path / "tmp").mkdir()
    log = tmp_path / "watch.log"
    since = datetime.now(UTC)
    watcher = start_watcher(demo.sources, demo.warehouse, log, {"TMPDIR": str(temp_dir)}, "--as-of", AS_OF)
    try:
        wait_for(log, "Overvåger", watcher)
        api = server_url(log)
        bad = demo.sources / "inbox" / "police_haervaerk" / "police_haervaerk_2026_20270214.csv"
        bad.write_text("ikke;en;rigtig;fil\n1;2;3;4\n", encoding="utf-8")
        started = wait_for(log, "Ny leverance: police_haervaerk_2026_20270214.csv", watcher)
        _wait_for_run_stage(demo, "Beregner kriterier", watcher, log)  # the run has found its files
        new = next_quarter_delivery(demo.sources / "inbox", 1)  # dropped while the first run is going
        rejected = wait_for(log, "Statusændringer:", watcher, started)
        second = wait_for(log, f"Ny leverance: {new.name}", watcher, rejected)
        wait_for(log, "Statusændringer:", watcher, second)
        wait_until_spare_is_warm(watcher, logs)
        after_second = footprint(watcher, temp_dir, demo.warehouse.parent)
        corrections = []
        for number in (1, 2):  # two more runs, statuses unchanged (no report): the cheap leak check
            corrections.append(drop_aggregate(demo.sources / "inbox", number))
            wait_for(log, "Statusændringer:", watcher, wait_for(log, f"Ny leverance: {corrections[-1].name}", watcher))
            wait_until_spare_is_warm(watcher, logs)
        after_fourth = footprint(watcher, temp_dir, demo.warehouse.parent)
        flow_runs = nightly_flow_runs(api, demo.warehouse, since)

        output = log.read_text(encoding="utf-8")
        first_run, second_run, *correction_runs = _runs(output, bad.name, new.name,
                                                        *(path.name for path in corrections))
        [(status, error)] = demo.query("select status, error from load_ledger where file_name = ?", [bad.name])
        assert status == "rejected" and error
        assert f"Afvist: {' '.join(error.split())}"[:60] in " ".join(first_run.split())
        assert "en eller flere filer blev afvist" in first_run and "Statusændringer: ingen." in first_run
        assert "Indlæst: 1 filer" in second_run and "lageret er publiceret" in second_run
        for run in (second_run, *correction_runs):  # the publication is told first, then the run's summary
            assert 0 < run.index("Lageret er publiceret, ") < run.index("Indlæst: 1 filer") < run.index(
                "Statusændringer:"), run
        assert demo.query("select status from load_ledger where file_name = ?", [new.name]) == [("loaded",)]
        assert demo.query("select count(*) from load_ledger where file_name = ? and status = 'loaded'",
                          [corrections[-1].name]) == [(1,)]
        # The rejected file changed nothing: outside the sources of the new files, every measurement is as before.
        assert _measurements(demo, "school_absence", "web_analytics") == before
        # Every run reported to the watcher's one server; none started a server of its own.
        assert [run["state_type"] for run in flow_runs] == ["COMPLETED"] * 4
        run_texts = run_logs(logs, first_build_logs)
        assert len(run_texts) == 4 and not any("temporary server (pid" in text for text in run_texts)
        # Run 4 leaves nothing more behind than run 2: processes, descriptors, files.
        assert after_fourth.processes == after_second.processes == ("prefect-server", "spare")
        assert after_fourth.zombies == after_second.zombies == 0
        assert after_fourth.open_fds <= after_second.open_fds
        assert after_fourth.temp_entries == after_second.temp_entries
        assert after_fourth.warehouse_files == after_second.warehouse_files
        spare_and_server = descendants(watcher.pid)
    finally:
        code = stop_watcher(watcher)
    assert code == 0, log.read_text(encoding="utf-8")
    assert "Overvågningen er stoppet." in log.read_text(encoding="utf-8")
    assert "Traceback" not in log.read_text(encoding="utf-8")
    with pytest.raises(ProcessLookupError):
        os.killpg(watcher.pid, 0)
    assert not any(_alive(process) for process in spare_and_server)
    assert _processes_mentioning(str(demo.sources)) == []
    assert list(temp_dir.iterdir()) == []


@pytest.mark.slow
@pytest.mark.e2e
def test_kpi_watch_with_a_running_kpi_server(published_demo: PublishedDemo, tmp_path: Path) -> None:
    """With PREFECT_API_URL (`kpi server`), the runs report to that server, visible through its REST API, and
    the watcher starts no server of its own."""
    from tests.conftest import AS_OF
    from tests.ops_helpers import free_port

    demo = published_demo.copy_to(tmp_path / "demo")
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    server_env = {**os.environ, "KPI_DATA_DIR": str(tmp_path / "data"), "KPI_PREFECT_PORT": str(port)}
    server_env.pop("PREFECT_API_URL", None)
    kpi = Path(sys.executable).with_name("kpi")
    with (tmp_path / "server.log").open("w") as out:
        server = subprocess.Popen([str(kpi), "server", "--port", str(port)], env=server_env, stdout=out,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    log = tmp_path / "watch.log"
    watcher = None
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while not is_healthy(api):
            assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "server.log").read_text()
            time.sleep(1)
        since = datetime.now(UTC)
        watcher = start_watcher(demo.sources, demo.warehouse, log, {"PREFECT_API_URL": api}, "--as-of", AS_OF)
        wait_for(log, f"kørslerne i Prefect-serveren {api}", watcher)
        assert [process_kind(p) for p in descendants(watcher.pid)] == ["spare"]  # no server of its own
        dropped = drop_aggregate(demo.sources / "inbox", 1, met=False)
        started = wait_for(log, f"Ny leverance: {dropped.name}", watcher)
        published = wait_for(log, "Lageret er publiceret, ", watcher, started)
        changes = wait_for(log, "Statusændringer:", watcher, started)
        assert changes > published and "met → not_met" in log.read_text(encoding="utf-8")[changes:]
        [flow_run] = nightly_flow_runs(api, demo.warehouse, since)
        assert flow_run["state_type"] == "COMPLETED"
        spare = descendants(watcher.pid)
    finally:
        code = stop_watcher(watcher) if watcher is not None else None
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=60)
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGKILL)
    assert code == 0, log.read_text(encoding="utf-8")
    assert not any(_alive(process) for process in spare)
    assert demo.query("select status from load_ledger where file_name = ?", [dropped.name]) == [("loaded",)]
