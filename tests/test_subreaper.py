"""A process's ties to its parent and descendants (pipelines/operate/subreaper.py): what a subreaper reaps
and kills, and a module run that ends when the process that started it ends.

They protect `kpi watch`, the warm parent of `kpi worker` and the temporary Prefect server from leaving
processes behind; the end-to-end checks are in tests/test_watch.py, tests/test_warm_flow_runs.py and
tests/test_prefect_home.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from pipelines.operate.subreaper import reap_adopted


def _until(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.05)


def _ended(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _children_already() -> set[int]:
    """The test process's children from elsewhere (an xdist worker has its own): not this test's to reap."""
    return {child.pid for child in psutil.Process().children()}


def test_adopted_processes_that_ended_are_reaped_and_own_children_are_left_to_their_popen() -> None:
    others = _children_already()
    own = subprocess.Popen([sys.executable, "-c", "import sys; sys.exit(7)"])
    adopted = os.posix_spawn(sys.executable, [sys.executable, "-c", "pass"], os.environ)
    _until(lambda: all(psutil.Process(pid).status() == psutil.STATUS_ZOMBIE for pid in (own.pid, adopted)))
    assert reap_adopted({own.pid} | others) == [adopted]
    assert not psutil.pid_exists(adopted) or psutil.Process(adopted).ppid() != os.getpid()
    assert own.wait(timeout=10) == 7  # its exit code is still its Popen's to read


def test_a_live_adopted_process_is_left_running_unless_told_to_kill_it() -> None:
    others = _children_already()
    own = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    live = os.posix_spawn(sys.executable, [sys.executable, "-c", "import time; time.sleep(600)"], os.environ)
    try:
        assert reap_adopted({own.pid} | others) == []
        assert psutil.Process(live).status() != psutil.STATUS_ZOMBIE
        assert reap_adopted({own.pid} | others, kill_live=True) == [live]
        assert not psutil.pid_exists(live) or psutil.Process(live).ppid() != os.getpid()
        assert own.poll() is None  # its own child is never touched
    finally:
        own.kill()
        own.wait()


def _start_under_a_parent(tmp_path: Path, parent_pid_expression: str) -> tuple[subprocess.Popen, int]:
    """A parent that starts `python -m pipelines.operate.subreaper PID sleeper` and prints the child's pid."""
    (tmp_path / "sleeper.py").write_text("import pathlib, time\npathlib.Path('started').write_text('')\n"
                                         "time.sleep(600)\n")
    parent_script = (
        "import os, subprocess, sys, time\n"
        f"child = subprocess.Popen([sys.executable, '-m', 'pipelines.operate.subreaper', str({parent_pid_expression}),"
        " 'sleeper'])\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(600)\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    parent = subprocess.Popen([sys.executable, "-c", parent_script], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                              text=True)
    assert parent.stdout is not None
    return parent, int(parent.stdout.readline())


def test_a_module_run_gets_sigterm_when_the_process_that_started_it_is_killed(tmp_path: Path) -> None:
    parent, child = _start_under_a_parent(tmp_path, "os.getpid()")
    try:
        _until(lambda: (tmp_path / "started").exists())  # the module runs, with its own arguments
        parent.kill()
        parent.wait()
        _until(lambda: _ended(child), seconds=30)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        if not _ended(child):
            os.kill(child, signal.SIGKILL)


def test_a_module_run_whose_starter_is_not_its_parent_ends_at_once_without_running(tmp_path: Path) -> None:
    parent, child = _start_under_a_parent(tmp_path, "1")  # pid 1 is not its parent: its parent is gone
    try:
        _until(lambda: _ended(child), seconds=30)
        assert not (tmp_path / "started").exists()
    finally:
        parent.kill()
        parent.wait()
