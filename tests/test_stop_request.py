"""A stop whose exception is lost still stops the run before it publishes (pipelines/runtime/stop_request.py).

Python raises a signal handler's exception wherever the main thread is. Inside a finaliser it is printed as
"Exception ignored" and lost; a `kpi nightly` sent SIGTERM once finished and published that way. These tests
lose a stop in a finaliser on purpose and check that the run's checkpoints still see it.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from pipelines.load.build import database_files, prepare_build
from pipelines.publish.duckdb_file import publish, republish_runs, staging_path
from pipelines.runtime.run_records import RunRecord, read_runs, record_start
from pipelines.runtime.stop_request import (
    Terminated,
    raise_if_stop_asked,
    stop_asked,
    stop_on_signals,
)
from tests.conftest import REFERENCE_DIR, PublishedDemo


class SignalsItselfWhenCollected:
    """A finaliser that receives `signum` while it runs: the handler's exception is lost there."""

    def __init__(self, signum: int) -> None:
        self.signum = signum

    def __del__(self) -> None:
        os.kill(os.getpid(), self.signum)
        for _ in range(1000):  # bytecode for the interpreter to run the handler in
            pass


@pytest.fixture
def lost(caplog: pytest.LogCaptureFixture) -> Callable[[], list[str]]:
    """The exceptions Python could not raise (as for one raised in a finaliser), by class name, as the run's log
    has them: the last line of each logged traceback."""
    caplog.set_level(logging.WARNING, logger="pipelines.runtime.stop_request")

    def names() -> list[str]:
        return [r.getMessage().strip().splitlines()[-1].split(":")[0].rsplit(".", 1)[-1]
                for r in caplog.records if r.name == "pipelines.runtime.stop_request"]

    return names


def lose_a_stop(signum: int) -> None:
    """Receive `signum` inside a finaliser: its exception is reported as ignored and the caller goes on."""
    SignalsItselfWhenCollected(signum)  # collected at once: CPython's reference counting


@pytest.mark.parametrize(("signum", "raised"), [(signal.SIGTERM, Terminated), (signal.SIGINT, KeyboardInterrupt)])
def test_a_stop_lost_in_a_finaliser_is_raised_again_at_the_checkpoint(signum: int, raised: type[BaseException],
                                                                      lost: Callable[[], list[str]],
                                                                      capfd: pytest.CaptureFixture[str]) -> None:
    with stop_on_signals():
        lose_a_stop(signum)
        assert lost() == [raised.__name__]  # Python went on: without the record the run would not know
        assert stop_asked() == signum
        with pytest.raises(raised) as stopped:
            raise_if_stop_asked()
    assert stopped.type is raised  # SIGINT stays a plain Ctrl-C, SIGTERM says it was SIGTERM
    assert "Traceback" not in capfd.readouterr().err  # the lost exception went to the log, not the terminal


class ForeignStop(BaseException):
    """What another handler raises: Prefect's SIGTERM bridge, installed during the flow, raises its own."""


def test_a_stop_lost_under_another_handler_is_still_recorded(lost: Callable[[], list[str]]) -> None:
    def foreign(signum: int, frame: object) -> None:
        raise ForeignStop

    with stop_on_signals():
        ours = signal.signal(signal.SIGTERM, foreign)  # as Prefect's flow engine does around a flow
        lose_a_stop(signal.SIGTERM)
        signal.signal(signal.SIGTERM, ours)
        assert lost() == ["ForeignStop"]
        with pytest.raises(Terminated):
            raise_if_stop_asked()


def test_a_stop_raises_at_once_where_nothing_catches_it() -> None:
    with pytest.raises(Terminated), stop_on_signals():
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(1000):
            pass
    assert stop_asked() == signal.SIGTERM  # remembered after leaving: `kpi nightly --programmes` asks
    raise_if_stop_asked()  # but it stops nothing after its run: a later publication in this process goes on


def test_the_handlers_are_restored_and_each_run_starts_without_a_stop(lost: Callable[[], list[str]]) -> None:
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    hook_before = sys.unraisablehook
    wakeup_before = signal.set_wakeup_fd(-1)
    signal.set_wakeup_fd(wakeup_before)
    open_before = len(os.listdir("/proc/self/fd"))
    with stop_on_signals():
        lose_a_stop(signal.SIGTERM)
    assert {s: signal.getsignal(s) for s in before} == before
    assert sys.unraisablehook is hook_before
    assert signal.set_wakeup_fd(wakeup_before) == wakeup_before  # the previous wakeup fd is back
    assert len(os.listdir("/proc/self/fd")) == open_before  # its pipe is closed
    with stop_on_signals():
        assert stop_asked() is None
        raise_if_stop_asked()  # nothing to raise


def test_outside_the_main_thread_nothing_changes() -> None:
    seen: list[object] = []

    def in_a_thread() -> None:
        with stop_on_signals():
            seen.append(signal.getsignal(signal.SIGTERM))

    before = signal.getsignal(signal.SIGTERM)
    thread = threading.Thread(target=in_a_thread)
    thread.start()
    thread.join()
    assert seen == [before]


def published_files(demo: PublishedDemo) -> dict[str, bytes]:
    folder = demo.warehouse.parent
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_a_publication_after_a_lost_stop_replaces_nothing(published_demo: PublishedDemo, tmp_path: Path,
                                                          lost: Callable[[], list[str]]) -> None:
    demo = published_demo.copy_to(tmp_path / "w")
    internal = demo.warehouse.with_name("kpi.internal.duckdb")
    build = prepare_build(internal, REFERENCE_DIR / "criteria.yaml", date(2026, 11, 23))
    record_start(demo.warehouse, RunRecord(datetime.now()))
    before = {name: data for name, data in published_files(demo).items() if name.endswith(".duckdb")}
    with stop_on_signals():
        lose_a_stop(signal.SIGTERM)
        with pytest.raises(Terminated):
            publish(build, internal, demo.warehouse, read_runs(demo.warehouse))
        with pytest.raises(Terminated):
            republish_runs(demo.warehouse, read_runs(demo.warehouse))
    assert lost() == ["Terminated"]
    after = published_files(demo)
    assert {name: after.get(name) for name in before} == before  # the published and the internal file
    assert build.is_file()  # the build was not moved into place
    assert not any(p.exists() for p in database_files(staging_path(demo.warehouse)))  # no staging left behind
    with duckdb.connect(str(demo.warehouse), read_only=True) as con:
        assert con.execute("select count(*) from load_runs").fetchone() == (1,)  # the demo's run only
