"""The Prefect servers this project starts: the persistent one behind `kpi server`, and one per run.

`kpi server`: SQLite in the data directory, UI on 127.0.0.1, for analysts who look at runs in a browser.

The temporary server of a plain `kpi nightly` (no PREFECT_API_URL configured): we start it ourselves as a
child process instead of leaving it to Prefect's client, so that we own its output (into the run's log
file, never the analyst's terminal), its start-up check (`/api/health`, with the Danish message on time-out)
and its end (stopped after the run, killed with its process group if it does not stop; on Linux it also
dies with the run's process, however that ends). The run points Prefect at it with PREFECT_API_URL.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from pipelines import prefect_runtime as pr
from pipelines.operate import subreaper
from pipelines.operate.prefect_api import is_healthy
from pipelines.runtime.places import LOCAL_HOST, prefect_home

log = logging.getLogger(__name__)
STOP_GRACE_SECONDS = 10.0
HEALTH_POLL_SECONDS = 0.2


def server_env(port: int, home: Path | None = None, base: dict[str, str] | None = None,
               database: str | None = None) -> dict[str, str]:
    """The environment of `kpi server`'s process: its own PREFECT_HOME and database (see
    persistent_server_settings), the UI on, analytics off."""
    home = home or prefect_home()
    env = {k: v for k, v in (os.environ if base is None else base).items() if k not in pr.CLIENT_ONLY_VARIABLES}
    env.update(pr.persistent_server_settings(LOCAL_HOST, port, home, database))
    env.update({"DO_NOT_TRACK": "1", pr.SERVER_LOGGING_LEVEL: env.get(pr.SERVER_LOGGING_LEVEL, "WARNING")})
    return env


def prefect_executable() -> str:
    return str(Path(sys.executable).with_name("prefect"))


def server_command(port: int) -> list[str]:
    return pr.persistent_server_command(prefect_executable(), LOCAL_HOST, port)


def without_password(url: str) -> str:
    """A database URL fit for a message or a log: its password replaced by ***."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    user_and_host = parts.netloc.rsplit("@", 1)
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{user_and_host[-1]}"))


def exec_server(port: int, home: Path | None = None, database: str | None = None) -> None:
    """Replace this process by `prefect server start`, so that systemd's signals reach the server itself."""
    env = server_env(port, home, database=database)
    Path(env[pr.HOME]).mkdir(parents=True, exist_ok=True)
    command = server_command(port)
    # An ignored SIGINT (a shell's background job) would survive exec; the server must stop on Ctrl-C/SIGINT.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.execve(command[0], command, env)


class TemporaryServerDidNotStart(RuntimeError):
    """The run's temporary server did not answer its health check in time (or exited first)."""

    def __init__(self, seconds: float, exit_code: int | None) -> None:
        super().__init__(f"Prefect's temporary server did not answer {pr.HEALTH_PATH} within {seconds:g} s"
                         + (f" (it exited with code {exit_code})" if exit_code is not None else ""))
        self.seconds = seconds
        self.exit_code = exit_code


def startup_timeout() -> float:
    return float(os.environ.get(pr.STARTUP_TIMEOUT) or pr.QUIET_ENV[pr.STARTUP_TIMEOUT])


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind((LOCAL_HOST, 0))
        return probe.getsockname()[1]


def temporary_server_env(home: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """The temporary server's environment: the run's own, minus what would make it a client of another API."""
    env = {k: v for k, v in (os.environ if base is None else base).items() if k not in pr.CLIENT_ONLY_VARIABLES}
    env.update(pr.TEMPORARY_SERVER_SETTINGS)
    env[pr.HOME] = str(home)
    env.setdefault(pr.DATABASE_URL, pr.database_url(home))
    return env


class TemporaryServer:
    """Prefect's server for one run, on a port of this process (the same for every run of the process, so that
    Prefect's client, configured once at import, keeps pointing at it)."""

    port: int | None = None  # per process

    def __init__(self, home: Path, output: Path | None) -> None:
        if TemporaryServer.port is None:
            TemporaryServer.port = free_port()
        self.home, self.output = home, output
        self.url = pr.api_url(LOCAL_HOST, TemporaryServer.port)
        self.process: subprocess.Popen[bytes] | None = None

    def spawn(self) -> None:
        """Start the server (once); its stdout and stderr go to `output` (None: the terminal, --verbose)."""
        if self.process is not None:
            return
        command = [sys.executable, "-m", subreaper.__name__, str(os.getpid()), "uvicorn",
                   *pr.uvicorn_args(LOCAL_HOST, self.url_port, os.environ.get(pr.SERVER_LOGGING_LEVEL, "WARNING"))]
        with contextlib.ExitStack() as stack:
            out = stack.enter_context(self.output.open("ab")) if self.output is not None else None
            # a session of its own: Ctrl-C on the terminal reaches the run, which then stops the server in turn
            # (after the flow has reported its end), and the whole group can be killed
            self.process = subprocess.Popen(command, env=temporary_server_env(self.home), stdin=subprocess.DEVNULL,
                                            stdout=out, stderr=subprocess.STDOUT if out else None,
                                            start_new_session=True)

    @property
    def url_port(self) -> int:
        assert TemporaryServer.port is not None
        return TemporaryServer.port

    def wait_until_serving(self, timeout: float) -> None:
        """Start the server if not yet, and return once it answers its health check; raise
        TemporaryServerDidNotStart (after stopping it) when it does not within `timeout` or exits first."""
        self.spawn()
        assert self.process is not None
        started = time.monotonic()
        while not is_healthy(self.url, timeout=1.0):
            if self.process.poll() is not None or time.monotonic() - started >= timeout:
                exit_code = self.process.poll()
                self.stop()
                raise TemporaryServerDidNotStart(timeout, exit_code)
            time.sleep(HEALTH_POLL_SECONDS)
        log.info("Prefect's temporary server (pid %s) answers on %s, %.1f s after its health check began",
                 self.process.pid, self.url, time.monotonic() - started)

    def stop(self) -> None:
        """SIGTERM (uvicorn's clean stop), then SIGKILL to its whole process group after STOP_GRACE_SECONDS."""
        process, self.process = self.process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            process.wait(STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            log.warning("Prefect's temporary server did not stop within %s s; killed", STOP_GRACE_SECONDS)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)  # anything it left in its group
        process.wait()


@contextlib.contextmanager
def temporary_server(home: Path, output: Path | None) -> Iterator[TemporaryServer]:
    """Point this process's Prefect at a temporary server of its own for the duration (not started yet:
    `spawn()` it early so that it starts while the run imports, `wait_until_serving()` before the flow).

    Set before Prefect is imported: PREFECT_API_URL, and Prefect's own temporary server turned off, so that a
    run never silently starts a second one. The server is stopped on leaving, however the block ends.
    """
    server = TemporaryServer(home, output)
    saved = {name: os.environ.get(name) for name in (pr.API_URL, pr.EPHEMERAL_ENABLED)}
    os.environ.update({pr.API_URL: server.url, pr.EPHEMERAL_ENABLED: "false"})
    try:
        yield server
    finally:
        server.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
