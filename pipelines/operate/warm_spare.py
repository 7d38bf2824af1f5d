"""`kpi watch`'s runs in spare processes started ahead of time (pipelines/operate/warm_run.py).

The watcher keeps one spare: started with the watcher, and again as soon as a run ends. It imports what a run
needs while nothing happens, so that a dropped file's run starts at the flow instead of paying the
interpreter, the imports and Prefect's client first. The run is still a process of its own, in its own
process group, ended and cleaned up exactly as a `kpi nightly` subprocess (`wait_for_run`). A spare that
died while waiting is replaced (at most once per `respawn_seconds`, so that a spare that cannot start does
not loop); a run whose spare is gone gets a fresh one, which then warms up on the run's time.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from pipelines.operate.warm_run import request_line
from pipelines.operate.watch import Clock, RunResult, WhileRunning, run_env, signal_group, wait_for_run

log = logging.getLogger(__name__)
RESPAWN_SECONDS = 60.0
RUN_TEMP_PREFIX = "kpi-watch-run-"
WARM_UP_LOG_NAME = "watch-spare-warm-up.log"  # in the warehouse's logs/: the spares' own output while warming


def spare_command(warm_up_log: Path | None, warehouse: Path | None = None) -> list[str]:
    """The spare's command line; with `warehouse`, the spare also starts dbt's child for that warehouse's builds."""
    command = [sys.executable, "-m", "pipelines.spare_run"]
    command += ["--warm-up-log", str(warm_up_log)] if warm_up_log is not None else []
    return command + (["--warehouse", str(warehouse)] if warehouse is not None else [])


@dataclass
class Spare:
    """A started spare process: its stdin (the run's request), its output file (the run's output), and the
    temporary folder of its run (TMPDIR), removed with the process: whatever a library leaves there (GX's
    docs site, the report's fonts) does not pile up in a watcher that runs for months."""

    process: subprocess.Popen[bytes]
    output: IO[bytes]
    temp_dir: Path

    @classmethod
    def start(cls, command: list[str]) -> Spare:
        temp_dir = Path(tempfile.mkdtemp(prefix=RUN_TEMP_PREFIX))
        output = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the spare; closed by discard)
        try:
            process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=output,
                                       stderr=subprocess.STDOUT, env={**run_env(), "TMPDIR": str(temp_dir)},
                                       start_new_session=True)
        except BaseException:
            output.close()
            shutil.rmtree(temp_dir, ignore_errors=True)
            raise
        return cls(process, output, temp_dir)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def hand(self, arguments: list[str]) -> bool:
        """Give the spare its run; False when it is gone (the pipe is broken)."""
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(request_line(arguments))
            self.process.stdin.close()
        except (BrokenPipeError, ValueError):
            return False
        return True

    def output_text(self) -> str:
        self.output.seek(0)
        return self.output.read().decode("utf-8", errors="replace")

    def discard(self) -> None:
        """End the process and its group, wait for it, close its pipe and output file."""
        signal_group(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(OSError, ValueError):
            if self.process.stdin is not None:
                self.process.stdin.close()
        self.process.wait()
        self.output.close()
        shutil.rmtree(self.temp_dir, ignore_errors=True)


@dataclass
class WarmRunner:
    """The `Runner` of `kpi watch`: each run in the spare started before it, then the next spare."""

    warm_up_log: Path | None = None
    command: Callable[[Path | None], list[str]] = spare_command  # tests: a stand-in for the spare
    respawn_seconds: float = RESPAWN_SECONDS
    clock: Clock = time.monotonic
    _spare: Spare | None = None
    _started_at: float = field(default=float("-inf"))

    def keep_ready(self) -> None:
        """Start a spare when there is none; replace one that died (a new one at most every respawn_seconds)."""
        if self._spare is not None:
            if self._spare.alive:
                return
            log.warning("the spare run process %s ended by itself (exit code %s)", self._spare.process.pid,
                        self._spare.process.returncode)
            self._discard()
        if self.clock() - self._started_at >= self.respawn_seconds:
            self._start()

    def _start(self) -> Spare:
        self._spare, self._started_at = Spare.start(self.command(self.warm_up_log)), self.clock()
        return self._spare

    def _discard(self) -> None:
        spare, self._spare = self._spare, None
        if spare is not None:
            spare.discard()

    def _take(self, arguments: list[str]) -> Spare:
        """The spare, given its run (a fresh one if it is gone); it is no longer this runner's spare."""
        spare = self._spare if self._spare is not None and self._spare.alive else None
        if spare is None or not spare.hand(arguments):
            self._discard()
            spare = self._start()
            if not spare.hand(arguments):
                raise RuntimeError("a fresh spare run process ended before it got its run")
        self._spare = None
        return spare

    def __call__(self, arguments: list[str], stop: threading.Event,
                 while_running: WhileRunning | None = None) -> RunResult:
        started = time.monotonic()
        spare = self._take(arguments)
        try:
            stopped = wait_for_run(spare.process, stop, while_running)
            output = spare.output_text()
        finally:
            spare.discard()
        if not stop.is_set():
            self._start()  # the next run's process, warming up from now
        return RunResult(None if stopped else spare.process.returncode, output, time.monotonic() - started)

    def pids(self) -> set[int]:
        """The spare's pid, for `reap_adopted` (its Popen waits for it)."""
        return {self._spare.process.pid} if self._spare is not None else set()

    def close(self) -> None:
        """End the spare, if any (a run in progress has been ended by the stop already)."""
        self._discard()
