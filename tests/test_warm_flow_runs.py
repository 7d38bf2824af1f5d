"""`kpi worker`'s warm flow runs (pipelines/operate/warm_flow_runs.py, pipelines/flow_run_handoff.py).

What they protect: a flow run handed to the warm parent behaves, for Prefect's worker, as the
`python -m prefect.engine` process it replaces: its output on the client's streams, its exit code (or the
signal that ended it) as the client's, a cancellation signal passed on, nothing left running when the client
is killed or the run leaves a child behind, and a cold start when no warm parent answers. The real engine
under a real worker: tests/test_fleet_e2e.py and tests/test_fleet_scheduled_e2e.py.
Reproduce: `pytest tests/test_warm_flow_runs.py`.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from pipelines.operate.warm_flow_runs import (
    SOCKET_ENV,
    HandoffError,
    exit_status,
    new_socket_name,
    receive_request,
    send_request,
    socket_address,
)
from pipelines.settings import REPO_ROOT

CLIENT = [sys.executable, "-m", "pipelines.flow_run_handoff"]


@pytest.fixture
def warm_parent() -> Iterator[str]:
    name = new_socket_name()
    parent = subprocess.Popen([sys.executable, "-m", "tests.warm_runs_helpers", name], cwd=REPO_ROOT,
                              stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None and parent.stdout.readline().strip() == "listening"
    try:
        yield name
    finally:
        parent.kill()
        parent.wait()


def _client(name: str, *argv: str, cwd: Path | None = None) -> subprocess.Popen:
    return subprocess.Popen([*CLIENT, *argv], env={**os.environ, SOCKET_ENV: name, "WARM_TEST_MARKER": "m1"},
                            cwd=cwd or REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _alive(pid)


def test_a_request_carries_the_environment_folder_arguments_and_three_streams() -> None:
    client, server = socket.socketpair()
    with client, server:
        env = {"PREFECT__FLOW_RUN_ID": "9f0c", "LONG": "x" * 200_000}  # longer than one socket read
        send_request(client, env, "/tmp", ["a", "b"])
        request = receive_request(server)
    try:
        assert (request.env, request.cwd, request.argv) == (env, "/tmp", ["a", "b"])
        assert len(request.streams) == 3 and all(os.fstat(fd) for fd in request.streams)
    finally:
        for fd in request.streams:
            os.close(fd)


def test_a_request_without_streams_is_refused() -> None:
    client, server = socket.socketpair()
    with client, server:
        client.sendall(b"\x00\x00\x00\x02{}")
        with pytest.raises(HandoffError, match="streams"):
            receive_request(server)


def test_the_abstract_socket_name_and_exit_statuses() -> None:
    assert socket_address("@kpi-x") == "\0kpi-x" and socket_address("/run/x.sock") == "/run/x.sock"
    assert new_socket_name().startswith("@kpi-warehouse-warm-runs-")
    assert exit_status(0) == 0 and exit_status(3 << 8) == 3 and exit_status(signal.SIGTERM) == -signal.SIGTERM


def test_the_run_gets_the_clients_environment_folder_and_streams_and_its_exit_code_is_the_clients(
        warm_parent: str, tmp_path: Path) -> None:
    done = _client(warm_parent, "exit:7", "--flag", cwd=tmp_path)
    out, err = done.communicate(timeout=60)
    assert done.returncode == 7, err
    assert "argv=['exit:7', '--flag'] marker=m1" in out and f"cwd={tmp_path}" in out and "temp=True" in out
    run_pid = int(out.split("pid=", 1)[1].split()[0])
    assert run_pid != done.pid and not _alive(run_pid)


def test_a_cancellation_signal_reaches_the_run_and_the_client_ends_by_it(warm_parent: str) -> None:
    client = _client(warm_parent, "sleep")
    assert client.stdout is not None
    run_pid = int(client.stdout.readline().split("pid=", 1)[1].split()[0])
    client.send_signal(signal.SIGTERM)
    client.wait(timeout=30)
    assert client.returncode == -signal.SIGTERM
    assert _gone_within(run_pid, 10)


def test_a_killed_client_takes_its_run_with_it(warm_parent: str) -> None:
    client = _client(warm_parent, "sleep")
    assert client.stdout is not None
    run_pid = int(client.stdout.readline().split("pid=", 1)[1].split()[0])
    client.kill()
    client.wait(timeout=30)
    assert _gone_within(run_pid, 10)


def test_what_a_run_leaves_running_is_ended_after_it(warm_parent: str, tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"
    done = _client(warm_parent, f"orphan:{pid_file}")
    done.communicate(timeout=60)
    assert done.returncode == 0
    assert _gone_within(int(pid_file.read_text()), 10)


def test_runs_at_once_each_get_their_own_status(warm_parent: str) -> None:
    clients = [_client(warm_parent, f"exit:{code}") for code in (0, 4, 5)]
    assert [c.wait(timeout=60) for c in clients] == [0, 4, 5]


def test_without_a_warm_parent_the_run_starts_cold_as_prefects_engine() -> None:
    done = subprocess.run([*CLIENT, "not-a-flow-run-id"], env={**os.environ, SOCKET_ENV: new_socket_name()},
                          capture_output=True, text=True, timeout=300, check=False)
    assert "Kørslen starter i en ny proces" in done.stderr
    assert done.returncode == 1 and "Invalid flow run id" in done.stderr  # prefect.engine itself said so


def test_the_client_has_danish_help() -> None:
    done = subprocess.run([*CLIENT, "--help"], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and "Brug: kpi-flow-run" in done.stdout and "kpi worker" in done.stdout
