"""Warm flow runs for `kpi worker`: each run is forked from a process that has imported everything already.

Prefect's process worker starts every flow run as a new Python process (`python -m prefect.engine`), which
imports Prefect, polars, DuckDB, Great Expectations and our flow before the run begins: several CPU-seconds
per run, most of a night with nothing new. `kpi worker` therefore forks, before it becomes Prefect's worker,
a *warm parent*: it imports all of that once, then listens on an abstract Unix socket (no file; it goes with
the process). The deployments `kpi schedule --programmes` registers start `kpi-flow-run`
(pipelines/flow_run_handoff.py) instead of `python -m prefect.engine`; that small client hands its
environment, working folder and standard streams to the warm parent, which forks a child that runs Prefect's
engine exactly as `python -m prefect.engine` would, and relays its exit status back.

What stays as before:
- a run is still a process of its own: a crash or a native abort ends one run, and nothing it allocates
  stays behind (the child exits; its temporary folder is removed with it);
- the run's output goes to the worker as before (the client's own stdout and stderr are passed on);
- a cancellation signals the client, which passes it on to the run; a client killed outright (the worker
  gave up on it) gets its run killed;
- a killed worker takes the warm parent with it (it is in the worker's process group, and dies with its
  parent), and the runs with that (they are in the same group, and die with the warm parent), so the
  kernel releases their locks as before; after a run, whatever it left running is killed (the warm parent is
  their subreaper).
Nothing is imported here at module level beyond the standard library: the client reads this module too.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import struct
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from select import select

from pipelines.operate.subreaper import adopt_orphans, die_with_parent, reap_adopted

SOCKET_ENV = "KPI_WARM_RUNS_SOCKET"  # "@name": the abstract socket of this worker's warm parent
CLIENT_COMMAND = "kpi-flow-run"  # the deployments' command (a console script of this project)
ENGINE_MODULE = "prefect.engine"
STREAMS = (0, 1, 2)
_LENGTH = struct.Struct("!I")
MAX_REQUEST_BYTES = 1 << 20
# Beside pipelines/operate/warm_up.py's: GX is imported, its context is not built (it makes a temporary
# folder the first run's exit would remove under the others). Not the engine module itself: the run executes
# it as __main__, as `python -m prefect.engine` does.
EXTRA_WARM_MODULES = ("great_expectations",)


class HandoffError(RuntimeError):
    """The warm parent could not be reached or broke off; the client then starts the run cold."""


def socket_address(name: str) -> str:
    """The socket's address as `bind`/`connect` take it: '@name' is Linux's abstract namespace."""
    return "\0" + name[1:] if name.startswith("@") else name


def new_socket_name() -> str:
    return f"@kpi-warehouse-warm-runs-{os.getpid()}-{os.urandom(4).hex()}"


# --- the request: length-prefixed JSON, with the client's three standard streams as passed descriptors ---

def send_request(connection: socket.socket, env: dict[str, str], cwd: str, argv: list[str]) -> None:
    body = json.dumps({"env": env, "cwd": cwd, "argv": argv}).encode("utf-8")
    socket.send_fds(connection, [_LENGTH.pack(len(body))], list(STREAMS))
    connection.sendall(body)


@dataclass
class Request:
    env: dict[str, str]
    cwd: str
    argv: list[str]
    streams: list[int]


def receive_request(connection: socket.socket) -> Request:
    head, fds, _flags, _address = socket.recv_fds(connection, _LENGTH.size, len(STREAMS))
    try:
        if len(head) != _LENGTH.size or len(fds) != len(STREAMS):
            raise HandoffError(f"a request without its length or its {len(STREAMS)} streams")
        (length,) = _LENGTH.unpack(head)
        if length > MAX_REQUEST_BYTES:
            raise HandoffError(f"a request of {length} bytes")
        body = _receive_exactly(connection, length)
        fields = json.loads(body)
        return Request(dict(fields["env"]), str(fields["cwd"]), [str(a) for a in fields["argv"]], fds)
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise


def _receive_exactly(connection: socket.socket, length: int) -> bytes:
    chunks, left = [], length
    while left:
        chunk = connection.recv(min(left, 65536))
        if not chunk:
            raise HandoffError("the client went away in the middle of its request")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def exit_status(wait_status: int) -> int:
    """A child's wait status as Popen's returncode: the exit code, or minus the signal that ended it."""
    return -os.WTERMSIG(wait_status) if os.WIFSIGNALED(wait_status) else os.waitstatus_to_exitcode(wait_status)


# --- the warm parent ---

def warm_up() -> float:
    """Import what a run needs, the flow engine and GX included, without starting a thread; the seconds it took."""
    import importlib

    started = time.monotonic()
    from pipelines.settings import apply_quiet_offline_env

    apply_quiet_offline_env()
    from pipelines.operate.warm_up import WARM_MODULES

    for name in (*WARM_MODULES, *EXTRA_WARM_MODULES):
        importlib.import_module(name)
    return time.monotonic() - started


@dataclass
class Run:
    pid: int
    pidfd: int
    connection: socket.socket
    temp_dir: Path


@dataclass
class WarmParent:
    """Accepts a client's request, forks its run, reports the run's pid and exit status, cleans up after it."""

    listener: socket.socket
    run_child: Callable[[Request, Path], int]  # in the forked child: the run; returns its exit code
    runs: dict[int, Run]

    @classmethod
    def listening(cls, name: str, run_child: Callable[[Request, Path], int]) -> WarmParent:
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(socket_address(name))
        listener.listen(16)
        return cls(listener, run_child, {})

    def serve_forever(self, tick: float = 1.0) -> None:
        while True:
            self.serve_once(tick)

    def serve_once(self, tick: float) -> None:
        by_fd = {run.pidfd: run for run in self.runs.values()}
        by_connection = {run.connection.fileno(): run for run in self.runs.values()}
        readable, _, _ = select([self.listener, *by_fd, *by_connection], [], [], tick)
        for item in readable:
            if item is self.listener:
                self._accept()
            elif item in by_fd:
                self._finish(by_fd[item])
            elif item in by_connection and by_connection[item].pid in self.runs:
                self._client_gone(by_connection[item])
        self.reap_orphans()

    def _accept(self) -> None:
        connection, _ = self.listener.accept()
        try:
            request = receive_request(connection)
        except (OSError, ValueError, KeyError, HandoffError) as exc:
            print(f"Varm kørsel: en ugyldig anmodning blev afvist ({exc}).", file=sys.stderr, flush=True)
            connection.close()
            return
        temp_dir = Path(tempfile.mkdtemp(prefix="kpi-warm-run-"))
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the run; it never returns into the parent's loop
            code = 1
            try:
                die_with_parent(parent)  # not inherited across fork
                self.listener.close()
                connection.close()
                for run in self.runs.values():
                    run.connection.close()
                    os.close(run.pidfd)
                code = self.run_child(request, temp_dir)
            finally:
                os._exit(code)
        for fd in request.streams:
            os.close(fd)
        run = Run(pid, os.pidfd_open(pid), connection, temp_dir)
        self.runs[pid] = run
        with contextlib.suppress(OSError):
            connection.sendall(f"pid {pid}\n".encode())

    def _finish(self, run: Run) -> None:
        _, wait_status = os.waitpid(run.pid, 0)
        with contextlib.suppress(OSError):
            run.connection.sendall(f"exit {exit_status(wait_status)}\n".encode())
        self._forget(run)

    def _client_gone(self, run: Run) -> None:
        """The client's side closed before its run ended: it was killed; so is the run."""
        with contextlib.suppress(OSError):
            if run.connection.recv(4096):
                return  # a client writes nothing after its request: whatever this was, it is dropped
        with contextlib.suppress(ProcessLookupError):
            os.kill(run.pid, signal.SIGKILL)

    def _forget(self, run: Run) -> None:
        del self.runs[run.pid]
        os.close(run.pidfd)
        run.connection.close()
        shutil.rmtree(run.temp_dir, ignore_errors=True)

    def reap_orphans(self) -> list[int]:
        """Kill and reap what ended runs left running (as subreaper, their orphans are this process's children)."""
        return reap_adopted(self.runs, kill_live=True)


def take_streams(request: Request) -> None:
    """Make the client's standard streams this process's descriptors 0, 1 and 2."""
    for target, fd in zip(STREAMS, request.streams, strict=True):
        os.dup2(fd, target)
        os.close(fd)


def run_engine(request: Request, temp_dir: Path) -> int:
    """In the forked child: become the run's process, and run Prefect's engine as `python -m prefect.engine`."""
    import runpy

    take_streams(request)  # sys.stdout and the log handlers write to descriptors 1 and 2: now the client's
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    os.environ.clear()
    os.environ.update({**request.env, "TMPDIR": str(temp_dir)})
    tempfile.tempdir = None
    os.chdir(request.cwd)
    from prefect.context import refresh_global_settings_context

    refresh_global_settings_context()  # Prefect read its settings at import, in the warm parent
    sys.argv = [ENGINE_MODULE, *request.argv]
    sys.modules.pop(ENGINE_MODULE, None)  # imported by nothing of ours; if by a library, runpy would warn
    code = 0
    try:
        runpy.run_module(ENGINE_MODULE, run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # as the interpreter would: the traceback on stderr, exit code 1
        import traceback

        traceback.print_exc()
        code = 1
    return finish_like_an_interpreter(code)


def finish_like_an_interpreter(code: int) -> int:
    """What an exiting interpreter does before it ends: wait for non-daemon threads, run the atexit functions
    (Prefect sends its last events and logs there), flush the streams."""
    import atexit
    import threading

    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    return code


def serve_beside_worker(name: str, parent: int, run_child: Callable[[Request, Path], int] = run_engine) -> int:
    """The warm parent's life: dies with the worker, adopts the runs' orphans, binds, warms up, serves."""
    import threading

    die_with_parent(parent)
    adopt_orphans()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the worker's to handle; this ends with it
    parent_process = WarmParent.listening(name, run_child)  # before the warm-up: early clients wait in the backlog
    seconds = warm_up()
    if threading.active_count() > 1:  # a fork would copy a thread's held locks into every run
        print("Varme kørsler er slået fra: opvarmningen startede tråde "
              f"({', '.join(t.name for t in threading.enumerate())}); hver kørsel starter i en ny proces.",
              file=sys.stderr, flush=True)
        parent_process.listener.close()  # waiting clients see the close and start cold
        return 0
    print(f"Varme kørsler er klar (opvarmning {seconds:.1f} s).", file=sys.stderr, flush=True)
    parent_process.serve_forever()
    return 0


def start_beside_worker() -> str:
    """Fork the warm parent from the process that will exec Prefect's worker; the socket's name for its env."""
    name, parent = new_socket_name(), os.getpid()
    sys.stdout.flush()
    sys.stderr.flush()
    if os.fork() == 0:
        code = 1
        try:
            code = serve_beside_worker(name, parent)
        except BaseException as exc:  # a warm parent that fails leaves the runs to start cold
            print(f"Varme kørsler er slået fra: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        finally:
            os._exit(code)
    return name
