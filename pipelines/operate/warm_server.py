"""The one Prefect server every run of a `kpi watch` reports to.

With PREFECT_API_URL set (`kpi server`), the runs report to that server; the watcher only checks, before
each run, that it answers. Without it, the watcher starts one temporary server for its whole life
(pipelines/operate/server.py: our own child process, its output in its own log file, it dies with the
watcher) and points every run at it through PREFECT_API_URL, so that no run starts a server of its own.
A server that died is started again before the next run, on the same port (the spares already know it).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipelines import prefect_runtime as pr
from pipelines.operate.prefect_api import is_healthy
from pipelines.operate.server import HEALTH_POLL_SECONDS, TemporaryServer, startup_timeout, temporary_server
from pipelines.operate.watch import RunNotStarted
from pipelines.settings import current_prefect_home, uses_temporary_prefect_server

log = logging.getLogger(__name__)


@dataclass
class WatchServer:
    """The Prefect API of the watcher's runs; `temporary` when the watcher started it itself."""

    url: str
    stop: threading.Event
    temporary: TemporaryServer | None = None
    log_file: Path | None = None

    def description_da(self) -> str:
        if self.temporary is not None:
            return f"én midlertidig Prefect-server ({self.url}), så længe overvågningen kører"
        return f"Prefect-serveren {self.url}"

    def before_run(self) -> None:
        """Return once the server answers; RunNotStarted (Danish) when it does not, or the watcher stops."""
        if self.temporary is None:
            if not is_healthy(self.url, timeout=5.0):
                raise RunNotStarted(f"Prefect-serveren svarer ikke på {self.url} (kpi server).")
            return
        self._serving_temporary(self.temporary)

    def _serving_temporary(self, server: TemporaryServer) -> None:
        if server.process is not None and server.process.poll() is not None:
            log.warning("the watcher's Prefect server ended (exit code %s); starting it again",
                        server.process.returncode)
            server.stop()
        server.spawn()
        assert server.process is not None
        deadline = time.monotonic() + startup_timeout()
        while not is_healthy(self.url, timeout=1.0):
            if self.stop.is_set():
                raise RunNotStarted("Overvågningen stopper.")
            if server.process.poll() is not None or time.monotonic() >= deadline:
                exit_code = server.process.poll()
                server.stop()
                raise RunNotStarted(
                    f"Prefects midlertidige server startede ikke inden for {startup_timeout():g} sekunder"
                    + (f" (exitkode {exit_code})" if exit_code is not None else "")
                    + f"; serverens egen fejl står i {self.log_file}.")
            time.sleep(HEALTH_POLL_SECONDS)

    def pids(self) -> set[int]:
        """The temporary server's pid, for `reap_adopted` (its Popen waits for it)."""
        process = self.temporary.process if self.temporary is not None else None
        return {process.pid} if process is not None else set()


def _heal_prefect_home() -> None:
    """Set a damaged prefect.db aside before the server starts (as `kpi nightly` does)."""
    from pipelines.operate.healing import heal_prefect_home

    try:
        heal_prefect_home(current_prefect_home())
    except Exception:  # the check must never stop the watcher; the start-up message still explains
        log.exception("checking Prefect's database failed")


@contextlib.contextmanager
def watch_server(stop: threading.Event, log_file: Path) -> Iterator[WatchServer]:
    """The server of the watcher's runs for the duration (started now, not waited for: the first run waits);
    a temporary one is stopped on leaving, however the block ends."""
    if not uses_temporary_prefect_server():
        yield WatchServer(os.environ[pr.API_URL], stop)
        return
    _heal_prefect_home()
    with temporary_server(current_prefect_home(), log_file) as server:
        server.spawn()
        yield WatchServer(server.url, stop, server, log_file)
