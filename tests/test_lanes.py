"""The test lanes (tests/lanes.py) and the once-per-session build of shared fixtures (tests/session_build.py).

What it protects: `make test-fast` stays fast only if every test that runs a nightly is seen as `e2e`, and the
shared demo warehouse is built by one xdist worker while a failed build reaches every worker.
Reproduce a failure: drop a rule from `lanes_of` (e.g. the `"nightly"` command word) and run this file.
"""

from __future__ import annotations

import json
import multiprocessing
import stat
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests import lanes
from tests.session_build import SharedBuildFailed, build_once, make_read_only, make_writable

SAMPLE_MODULE = '''
import subprocess
import pytest

def start(demo):
    return run_kpi("nightly", "--sources", str(demo))

def indirect(demo):
    return start(demo)

def test_calls_a_helper_that_runs_a_nightly(tmp_path):
    indirect(tmp_path)

def test_asks_only_for_the_help_text():
    run_kpi("nightly", "--help")

def test_starts_a_nightly_with_popen(kpi):
    subprocess.Popen([str(kpi), "nightly", "--as-of", "2026-11-23"])

def test_runs_kpi_docs(kpi):
    command = [str(kpi), "docs", "--out", "x.html"]
    subprocess.run(command)

def test_compares_with_the_shared_checker():
    assert SHARED_CHECKER.is_file()

def test_reads_a_template(tmp_path):
    run_kpi("templates", "--period", "2021", "--out", str(tmp_path))

@pytest.fixture
def crafted(tmp_path):
    return run_kpi("nightly", "--sources", str(tmp_path))

def test_uses_a_fixture_that_runs_a_nightly(crafted):
    assert crafted

def test_uses_the_shared_demo(published_demo):
    assert published_demo

def test_starts_postgresql():
    start_local_cluster()

def test_marked_by_hand():
    pass
'''


@dataclass
class FakeItem:
    """What lanes_of reads of a collected test."""

    path: Path
    originalname: str
    fixturenames: list[str] = field(default_factory=list)
    marked: tuple[str, ...] = ()

    def get_closest_marker(self, name: str) -> object | None:
        return name if name in self.marked else None


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("lanes") / "test_sample.py"
    path.write_text(textwrap.dedent(SAMPLE_MODULE), encoding="utf-8")
    return path


@pytest.mark.parametrize(("test", "fixtures", "marked", "expected"), [
    ("test_calls_a_helper_that_runs_a_nightly", ["tmp_path"], (), {"e2e"}),
    ("test_asks_only_for_the_help_text", [], (), {"unit"}),
    ("test_starts_a_nightly_with_popen", ["kpi"], (), {"e2e"}),
    ("test_runs_kpi_docs", ["kpi"], (), {"dbt"}),
    ("test_compares_with_the_shared_checker", [], (), {"spec"}),
    ("test_reads_a_template", ["tmp_path"], (), {"unit"}),
    ("test_uses_a_fixture_that_runs_a_nightly", ["crafted", "tmp_path"], (), {"e2e"}),
    ("test_uses_the_shared_demo", ["published_demo", "tmp_path_factory"], (), {"e2e"}),
    ("test_starts_postgresql", [], (), {"e2e"}),
    ("test_marked_by_hand", [], ("e2e",), {"e2e"}),
    ("test_marked_by_hand", [], ("flow",), {"e2e"}),
    ("test_reads_a_template", ["tmp_path"], ("dbt",), {"dbt"}),
])
def test_each_test_lands_in_the_lane_of_what_it_uses(sample: Path, test: str, fixtures: list[str],
                                                      marked: tuple[str, ...], expected: set[str]) -> None:
    assert lanes.lanes_of(FakeItem(sample, test, fixtures, marked)) == expected  # type: ignore[arg-type]


def test_the_suite_itself_is_laned(request: pytest.FixtureRequest) -> None:
    """This very test is `unit`; the first demo run's check is `e2e` (it uses the shared demo)."""
    assert request.node.get_closest_marker("unit") and not request.node.get_closest_marker("e2e")
    crash = FakeItem(Path(__file__).with_name("test_crash_recovery.py"), "test_the_first_demo_run_was_quiet",
                     ["published_demo", "tmp_path_factory"])
    assert lanes.lanes_of(crash) == {"e2e"}  # type: ignore[arg-type]


@pytest.fixture
def restore_lanes():
    saved = set(lanes._current_lanes)
    yield
    lanes._current_lanes.clear()
    lanes._current_lanes.update(saved)


class MarkedItem:
    def __init__(self, *names: str) -> None:
        self.names = names

    def iter_markers(self):
        return [SimpleNamespace(name=name) for name in self.names]


def test_a_nightly_in_a_test_outside_e2e_fails_and_says_why(restore_lanes) -> None:
    nightly = ("nightly", "--sources", "x")
    lanes.enter_test(MarkedItem("unit", "parametrize"))  # type: ignore[arg-type]
    with pytest.raises(pytest.fail.Exception, match="not in the e2e lane"):
        lanes.refuse_nightly_outside_e2e(nightly)
    lanes.refuse_nightly_outside_e2e(("nightly", "--help"))
    lanes.refuse_nightly_outside_e2e(("report", "--out", "x"))
    lanes.enter_test(MarkedItem("e2e", "dbt"))  # type: ignore[arg-type]
    lanes.refuse_nightly_outside_e2e(nightly)


def _build_in_a_worker(target: str, log: str, barrier, results) -> None:  # barrier, results: Manager proxies
    def build(root: Path) -> dict:
        with open(log, "a", encoding="utf-8") as out:
            out.write("built\n")
        time.sleep(1)  # widen the window in which the other worker would build as well
        root.mkdir()
        return {"value": 42}

    barrier.wait()  # both workers ask at the same moment
    results.append(build_once(Path(target), build))


def test_two_workers_build_once_and_share_the_result(tmp_path: Path) -> None:
    target, log = tmp_path / "demo", tmp_path / "builds.log"
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        barrier, results = manager.Barrier(2), manager.list()
        workers = [context.Process(target=_build_in_a_worker, args=(str(target), str(log), barrier, results))
                   for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
        assert [w.exitcode for w in workers] == [0, 0]
        assert list(results) == [{"value": 42}] * 2
    assert log.read_text(encoding="utf-8") == "built\n"
    assert json.loads((tmp_path / "demo.outcome.json").read_text()) == {"ok": True, "value": {"value": 42}}


def test_a_failed_build_fails_every_later_caller_without_a_rebuild(tmp_path: Path) -> None:
    calls: list[str] = []

    def failing(root: Path) -> dict:
        calls.append("failing")
        raise RuntimeError("kpi nightly fejlede")

    def working(root: Path) -> dict:
        calls.append("working")
        return {}

    with pytest.raises(RuntimeError, match="kpi nightly fejlede"):
        build_once(tmp_path / "demo", failing)
    with pytest.raises(SharedBuildFailed, match="RuntimeError: kpi nightly fejlede"):
        build_once(tmp_path / "demo", working)
    assert calls == ["failing"]


def test_a_shared_build_is_read_only_and_a_copy_writable_again(tmp_path: Path) -> None:
    """By mode bits (root writes through them; any other user is refused)."""
    root = tmp_path / "shared"
    (root / "warehouse").mkdir(parents=True)
    (root / "warehouse" / "kpi.duckdb").write_text("x", encoding="utf-8")
    paths = [root, root / "warehouse", root / "warehouse" / "kpi.duckdb"]
    make_read_only(root)
    assert [stat.S_IMODE(p.stat().st_mode) & 0o222 for p in paths] == [0, 0, 0]
    make_writable(root)
    assert all(p.stat().st_mode & stat.S_IWUSR for p in paths)
