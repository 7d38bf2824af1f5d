"""`kpi watch`'s warm runs: the spare's request line, its quiet warm-up, the watcher's spares (with a stand-in
spare process, so no nightly runs here), the moment of publication, and what the watcher cleans up.

The real spare (pipelines/operate/warm_run.py running `kpi nightly`) is exercised end to end in
tests/test_watch.py.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.operate.warm_run import RUN_COMMAND, BadRequest, output_to, parse_request, read_request, request_line
from pipelines.operate.warm_spare import WarmRunner
from pipelines.operate.watch import (
    Publication,
    RunNotStarted,
    RunResult,
    SettleTracker,
    Watcher,
    dropped_at,
    nightly_arguments,
    seconds_da,
)

# A stand-in spare: says it is waiting (a file named by its pid holding its TMPDIR), reads one request,
# prints its arguments and exits with the last one as exit code; `--sleep` makes it a run that never ends.
ARGUMENTS = nightly_arguments(Path("sources"), Path("kpi.duckdb"))
STAND_IN_SPARE = """\
import json, os, pathlib, sys, time
pathlib.Path(sys.argv[1], str(os.getpid())).write_text(os.environ["TMPDIR"])
pathlib.Path(os.environ["TMPDIR"], "left-behind").write_text("x")
line = sys.stdin.readline()
if not line:
    sys.exit(0)
arguments = json.loads(line)["arguments"]
print("kørte", *arguments, flush=True)
if "--sleep" in arguments:
    time.sleep(600)
sys.exit(int(arguments[-1]))
"""


@given(st.lists(st.text(), max_size=6))
def test_a_request_line_carries_any_nightly_command_line(words: list[str]) -> None:
    arguments = [RUN_COMMAND, *words]
    line = request_line(arguments)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert parse_request(line) == arguments
    assert read_request(io.BytesIO(line + b"ignored")) == arguments


@pytest.mark.parametrize("line", [b"nightly --sources x\n", b"{}\n", b'{"arguments": "nightly"}\n',
                                  b'{"arguments": ["report"]}\n', b'{"arguments": ["nightly", 3]}\n',
                                  b'{"arguments": []}\n', b"[1]\n"])
def test_a_spare_runs_nothing_but_a_nightly(line: bytes) -> None:
    with pytest.raises(BadRequest):
        parse_request(line)


def test_end_of_input_is_no_run() -> None:
    assert read_request(io.BytesIO(b"")) is None


def test_the_warm_up_prints_nothing_into_the_runs_output(tmp_path: Path, capfd: pytest.CaptureFixture) -> None:
    log = tmp_path / "warm-up.log"
    with output_to(log):  # descriptors 1 and 2, where a library's print or warning ends up in a real process
        os.write(1, b"an import's chatter\n")
        os.write(2, b"a warning\n")
    os.write(1, b"the run's own line\n")
    assert log.read_text() == "an import's chatter\na warning\n"
    out, err = capfd.readouterr()
    assert out == "the run's own line\n" and err == ""


class StepClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _runner(tmp_path: Path, clock: StepClock | None = None) -> tuple[WarmRunner, Path]:
    seen = tmp_path / "spares"
    seen.mkdir()
    runner = WarmRunner(command=lambda log: [sys.executable, "-c", STAND_IN_SPARE, str(seen)],
                        clock=clock or StepClock())
    return runner, seen


def _waiting_spare(seen: Path, pid: int) -> Path:
    """Bounded wait until the stand-in spare `pid` is up; its TMPDIR."""
    deadline = time.monotonic() + 60
    while not (seen / str(pid)).is_file():
        assert time.monotonic() < deadline, "the spare did not start"
        time.sleep(0.05)
    time.sleep(0.1)  # it has written its TMPDIR file
    return Path((seen / str(pid)).read_text())


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_a_run_goes_to_the_spare_started_before_it_then_the_next_spare_starts(tmp_path: Path) -> None:
    runner, seen = _runner(tmp_path)
    told: list[int] = []
    try:
        runner.keep_ready()
        [first] = runner.pids()
        first_temp = _waiting_spare(seen, first)
        result = runner([*ARGUMENTS, "3"], threading.Event(), lambda: told.append(1))
        assert (result.exit_code, result.output) == (3, f"kørte {' '.join(ARGUMENTS)} 3\n")
        assert told  # the watcher looked for the publication while the run went on, and once at its end
        assert _gone(first) and not first_temp.exists()  # the run's process and its temporary folder are gone
        [second] = runner.pids()
        assert second != first
        second_temp = _waiting_spare(seen, second)  # the next run's spare is up before any file arrives
        assert runner([*ARGUMENTS, "0"], threading.Event()).exit_code == 0
    finally:
        runner.close()
    assert runner.pids() == set() and _gone(second) and not second_temp.exists()


def test_a_spare_that_died_is_replaced_but_not_in_a_loop(tmp_path: Path) -> None:
    clock = StepClock()
    runner, seen = _runner(tmp_path, clock)
    try:
        runner.keep_ready()
        [first] = runner.pids()
        _waiting_spare(seen, first)
        os.kill(first, signal.SIGKILL)
        while not _gone(first):
            time.sleep(0.05)
        clock.now += 10
        runner.keep_ready()  # died 10 s after its start: not replaced at once
        assert runner.pids() == set()
        assert runner([*ARGUMENTS, "0"], threading.Event()).exit_code == 0  # a run gets a fresh one all the same
        [after_run] = runner.pids()
        os.kill(after_run, signal.SIGKILL)
        while not _gone(after_run):
            time.sleep(0.05)
        clock.now += 61
        runner.keep_ready()
        [replacement] = runner.pids()
        assert replacement not in (first, after_run)
    finally:
        runner.close()
    assert _gone(replacement)


def test_a_stop_ends_the_spares_run_and_no_spare_follows(tmp_path: Path) -> None:
    runner, seen = _runner(tmp_path)
    stop = threading.Event()
    results: list[RunResult] = []
    runner.keep_ready()
    [spare] = runner.pids()
    _waiting_spare(seen, spare)
    thread = threading.Thread(target=lambda: results.append(runner([*ARGUMENTS, "--sleep", "0"], stop)))
    thread.start()
    time.sleep(1)
    stop.set()
    thread.join(timeout=60)
    assert not thread.is_alive()
    [result] = results
    assert result.exit_code is None and "--sleep 0" in result.output
    assert _gone(spare) and runner.pids() == set()


def test_a_publication_is_seen_once_when_the_published_file_is_replaced(tmp_path: Path) -> None:
    warehouse = tmp_path / "kpi.duckdb"
    warehouse.write_text("old")
    publication = Publication(warehouse)
    assert not publication.first_seen()
    staging = tmp_path / "staging"
    staging.write_text("new")
    os.replace(staging, warehouse)
    assert publication.first_seen() and publication.seen
    assert not publication.first_seen()  # told once


def test_a_first_publication_is_seen_too(tmp_path: Path) -> None:
    publication = Publication(tmp_path / "kpi.duckdb")
    assert not publication.first_seen()
    (tmp_path / "kpi.duckdb").write_text("first")
    assert publication.first_seen()


def test_a_drop_is_timed_from_its_newest_file_unless_its_mtime_is_old(tmp_path: Path) -> None:
    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    for path, mtime in ((old, 999_000.0), (new, 1_000_050.0)):
        path.write_text("x")
        os.utime(path, (mtime, mtime))
    assert dropped_at([old, new], seen_at=1_000_052.0) == 1_000_050.0
    assert dropped_at([old], seen_at=1_000_052.0) == 1_000_052.0  # copied with its old mtime
    assert dropped_at([tmp_path / "gone.csv"], seen_at=7.0) == 7.0
    assert seconds_da(7.25) == "7,2 s" and seconds_da(12.0) == "12,0 s"


class PublishingRunner:
    """Replaces the published file mid-run, as publishing does, then prints the run's summary."""

    def __init__(self, warehouse: Path) -> None:
        self.warehouse = warehouse

    def __call__(self, arguments: list[str], stop: threading.Event, while_running) -> RunResult:
        while_running()
        staging = self.warehouse.with_suffix(".staging")
        staging.write_text("published")
        os.replace(staging, self.warehouse)
        while_running()
        while_running()
        return RunResult(0, "Indlæst: 1 filer, dubletter: 0, afvist: 0.\nPubliceret: x\n", 2.0)


def _watcher(tmp_path: Path, runner, clock: StepClock, said: list[str], **options) -> tuple[Watcher, Path]:
    sources = tmp_path / "sources"
    (sources / "inbox" / "web_analytics").mkdir(parents=True)
    watcher = Watcher(sources, tmp_path / "kpi.duckdb", threading.Event(), said.append, runner=runner,
                      tracker=SettleTracker(settle_seconds=1, clock=clock), clock=clock,
                      wall_clock=lambda: clock.now, locked_retry_seconds=30, **options)
    return watcher, sources / "inbox" / "web_analytics" / "web_analytics_2022_20230115.csv"


def _drop(watcher: Watcher, clock: StepClock, path: Path) -> RunResult | None:
    path.write_text("a delivery")
    os.utime(path, (clock.now, clock.now))
    watcher.changed([path])
    clock.now += 2
    return watcher.tick()


def test_the_publication_is_told_with_its_delay_before_the_runs_summary(tmp_path: Path) -> None:
    clock, said = StepClock(), []
    watcher, path = _watcher(tmp_path, None, clock, said)
    watcher.runner = PublishingRunner(watcher.warehouse)
    watcher.warehouse.write_text("before")
    assert _drop(watcher, clock, path) is not None
    assert said[:3] == ["Ny leverance: web_analytics_2022_20230115.csv. Natkørslen starter.",
                        "Lageret er publiceret, 2,0 s efter at filen kom; rapporten følger.",
                        "Indlæst: 1 filer, dubletter: 0, afvist: 0."]
    assert sum("Lageret er publiceret" in line for line in said) == 1


def test_a_run_that_cannot_start_is_tried_again_later(tmp_path: Path) -> None:
    clock, said, calls = StepClock(), [], []
    server_answers = [False, True]

    def before_run() -> None:
        if not server_answers.pop(0):
            raise RunNotStarted("Prefect-serveren svarer ikke på http://127.0.0.1:9/api (kpi server).")

    def runner(arguments: list[str], stop: threading.Event, while_running) -> RunResult:
        calls.append(arguments)
        return RunResult(0, "", 1.0)

    watcher, path = _watcher(tmp_path, runner, clock, said, before_run=before_run)
    assert _drop(watcher, clock, path) is None and calls == []
    assert said[-1] == ("Prefect-serveren svarer ikke på http://127.0.0.1:9/api (kpi server). "
                        "Filerne prøves igen om 30 s.")
    clock.now += 10
    assert watcher.tick() is None and calls == []
    clock.now += 25
    assert watcher.tick() is not None
    assert calls == [nightly_arguments(watcher.sources, watcher.warehouse)]


def test_every_tick_and_every_run_do_their_housekeeping(tmp_path: Path) -> None:
    clock, said, idle, after = StepClock(), [], [], []

    def failing_runner(arguments: list[str], stop: threading.Event, while_running) -> RunResult:
        raise RuntimeError("the spare could not start")

    watcher, path = _watcher(tmp_path, failing_runner, clock, said, idle=lambda: idle.append(1),
                             after_run=lambda: after.append(1))
    watcher.tick()
    assert (idle, after) == ([1], [])
    assert _drop(watcher, clock, path) is None  # a run that failed to run at all is cleaned up after, too
    assert (idle, after) == ([1, 1], [1])
    assert said[-1].startswith("Kørslen kunne ikke gennemføres (RuntimeError: the spare could not start)")


def test_a_running_server_that_does_not_answer_starts_no_run() -> None:
    from pipelines.operate.warm_server import WatchServer

    server = WatchServer("http://127.0.0.1:9/api", threading.Event())  # port 9 (discard): nothing listens
    with pytest.raises(RunNotStarted) as refused:
        server.before_run()
    assert str(refused.value) == "Prefect-serveren svarer ikke på http://127.0.0.1:9/api (kpi server)."
    assert server.pids() == set() and server.description_da() == "Prefect-serveren http://127.0.0.1:9/api"


def test_a_spare_says_and_exits_exactly_what_kpi_nightly_does(tmp_path: Path) -> None:
    """The spare's run is `kpi nightly` itself: same output, same exit code (here a refusal: no key)."""
    from tests.conftest import run_kpi

    no_key = {"KPI_HMAC_KEY": "", "KPI_HMAC_KEY_FILE": str(tmp_path / "no.key")}
    arguments = ["nightly", "--sources", str(tmp_path / "sources"), "--warehouse", str(tmp_path / "w" / "kpi.duckdb")]
    spare = subprocess.run([sys.executable, "-m", "pipelines.spare_run", "--warm-up-log",
                            str(tmp_path / "warm-up.log")], input=request_line(arguments), capture_output=True,
                           timeout=600, check=False, env={**os.environ, "COLUMNS": "200", **no_key})
    direct = run_kpi(*arguments, env=no_key)
    assert direct.returncode == 4 and "Ingen pseudonymiseringsnøgle" in direct.stderr
    assert (spare.returncode, spare.stdout.decode(), spare.stderr.decode()) == (
        direct.returncode, direct.stdout, direct.stderr)
    assert (tmp_path / "warm-up.log").read_text().splitlines()[-1].startswith("warm: ready for a run")
    assert not (tmp_path / "w").exists()
