"""(h): drop-to-published latency with `kpi watch`.

`kpi watch --sources S --warehouse W` runs on a sample and its full warehouse. Files are dropped one at a time:
written beside the inbox, then renamed into `inbox/<source>/` (the moment the file is complete there is t0).
For each drop:
  - published: the first moment the published file's `load_ledger` holds the file's sha256 with status `loaded`
    (polled on read-only connections, as an evaluator reads it);
  - report: the first moment after that at which the board report shows what is published
    (`report_is_current`: the report's recorded content equals the published tables'; equal at once when the
    run changed nothing the report shows, so no re-render is owed).
The next drop waits until no run holds the warehouse's lock (read from /proc/locks, so the bench never takes
the lock itself) and until the watcher's next spare run process is warm (its `warm: ready` line in the warm-up
log): an analyst's next file comes minutes later, not the instant the previous run ends, and the watcher is then
ready; a drop in the seconds after a run pays the spare's warm-up (~8 s) on top. Two kinds, each `drops` times:
a corrected aggregate file (the police's vandalism extract) and a new person-level quarter (the school dropout
list). At the end the watcher gets SIGINT; every process it started must be gone.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import signal
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from bench.deliveries import (
    DROPOUT_SOURCE,
    VANDALISM_SOURCE,
    quarters_after_sample,
    write_corrected_vandalism,
    write_dropout_list,
)
from pipelines.operate.warm_run import ready_pid
from pipelines.operate.warm_spare import WARM_UP_LOG_NAME

POLL_SECONDS = 0.2
DROP_TIMEOUT_SECONDS = 600.0
REPORT_GRACE_SECONDS = 30.0  # after the run has ended: how long a report that is not current may still come
READY_GRACE_SECONDS = 2.0  # after the watcher's first line, before the first drop (watchfiles sets up its watch)
STOP_TIMEOUT_SECONDS = 90.0


@dataclass
class Drop:
    kind: str  # "aggregate" or "person"
    source: str
    write: Callable[[Path], Path]  # writes the file into a folder, returns its path


def drops_of(kind: str, count: int, scale: int) -> list[Drop]:
    if kind == "aggregate":
        return [Drop(kind, VANDALISM_SOURCE, lambda folder, i=i: write_corrected_vandalism(folder, i))
                for i in range(count)]
    return [Drop(kind, DROPOUT_SOURCE, lambda folder, y=y, q=q: write_dropout_list(folder, y, q, scale))
            for y, q in quarters_after_sample(count)]


@dataclass
class DropTiming:
    file_name: str
    published_s: float | None = None
    report_s: float | None = None
    status: str = ""  # the ledger's status for the file, or "timeout"


def nearest_rank(values: list[float], share: float) -> float:
    """The nearest-rank percentile (for 5 values, p95 is the largest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(timings: list[DropTiming]) -> dict:
    published = [t.published_s for t in timings if t.published_s is not None]
    reports = [t.report_s - t.published_s for t in timings if t.report_s is not None and t.published_s is not None]
    out: dict = {"drops": [t.__dict__ for t in timings], "published": len(published)}
    if published:
        out |= {"median_published_s": round(statistics.median(published), 2),
                "p95_published_s": round(nearest_rank(published, 0.95), 2)}
    if reports:
        out |= {"median_report_after_s": round(statistics.median(reports), 2),
                "p95_report_after_s": round(nearest_rank(reports, 0.95), 2)}
    return out


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ledger_statuses(published: Path, sha256: str) -> set[str] | None:
    """The published ledger's statuses for a file, or None when the file cannot be read just now."""
    import duckdb

    try:
        with duckdb.connect(str(published), read_only=True) as con:
            rows = con.execute("select status from load_ledger where sha256 = ?", [sha256]).fetchall()
    except duckdb.Error:
        return None
    return {status for (status,) in rows}


def report_current(published: Path) -> bool:
    from pipelines.report.freshness import report_is_current
    from pipelines.report.paths import nightly_report_dir

    return report_is_current(nightly_report_dir(published), published)


def run_in_progress(published: Path) -> bool:
    """Whether a process holds the warehouse's run lock (a `flock`), read from /proc/locks."""
    from pipelines.operate.lock import lock_path

    try:
        inode = lock_path(published).stat().st_ino
        locks = Path("/proc/locks").read_text()
    except OSError:
        return False
    return any(parts[1] == "FLOCK" and parts[5].rsplit(":", 1)[-1] == str(inode)
               for parts in (line.split() for line in locks.splitlines()) if len(parts) > 5)


def ready_spare(warm_up_log: Path) -> int | None:
    """The pid of the spare run process that has said it is warm, or None. Each spare rewrites the warm-up log
    from its start, so the log holds the current spare's lines only."""
    try:
        text = warm_up_log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return ready_pid(text)


def wait_for_a_warm_spare(warm_up_log: Path, taken: set[int], timeout: float = DROP_TIMEOUT_SECONDS) -> None:
    """Until a spare that no run has taken yet is warm; it is then marked taken (the next drop's run uses it)."""
    deadline = time.monotonic() + timeout
    while ((pid := ready_spare(warm_up_log)) is None or pid in taken) and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
    if pid is not None:
        taken.add(pid)


def wait_idle(published: Path, timeout: float = DROP_TIMEOUT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while run_in_progress(published) and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)


def measure_drop(drop: Drop, inbox: Path, staging: Path, published: Path) -> DropTiming:
    """Drop one file (a rename into the inbox) and time it to published and to a current report."""
    written = drop.write(staging)
    sha = sha256_of(written)
    target = inbox / drop.source / written.name
    timing = DropTiming(written.name)
    os.replace(written, target)
    start = time.monotonic()
    ended_at: float | None = None
    while (elapsed := time.monotonic() - start) < DROP_TIMEOUT_SECONDS:
        if timing.published_s is None:
            statuses = ledger_statuses(published, sha) or set()
            if "loaded" in statuses:
                timing.published_s, timing.status = round(elapsed, 2), "loaded"
            elif statuses:  # rejected or duplicate: this drop measures nothing
                timing.status = ",".join(sorted(statuses))
                break
        if timing.published_s is not None:
            if report_current(published):
                timing.report_s = round(time.monotonic() - start, 2)
                break
            if ended_at is None and not run_in_progress(published):
                ended_at = time.monotonic()
            if ended_at is not None and time.monotonic() - ended_at > REPORT_GRACE_SECONDS:
                break
        time.sleep(POLL_SECONDS)
    else:
        timing.status = timing.status or "timeout"
    wait_idle(published)
    return timing


@dataclass
class WatchProcess:
    """`kpi watch` as a child process; its output lines with the time they arrived."""

    command: list[str]
    env: dict[str, str]
    lines: list[tuple[float, str]] = field(default_factory=list)
    seen_pids: set[psutil.Process] = field(default_factory=set)

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, env=self.env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                                        start_new_session=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append((time.monotonic(), line.rstrip()))

    def wait_ready(self, timeout: float = 180) -> None:
        """Until the watcher has said its first line (then a grace for its watch to be set up)."""
        deadline = time.monotonic() + timeout
        while not self.lines and time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("kpi watch stoppede ved start: " + self.output())
            time.sleep(POLL_SECONDS)
        if not self.lines:
            raise RuntimeError("kpi watch sagde intet inden for " + f"{timeout:.0f} s")
        time.sleep(READY_GRACE_SECONDS)

    def note_children(self) -> None:
        """Remember every process the watcher has started so far (checked after the stop)."""
        with contextlib.suppress(psutil.Error):
            self.seen_pids.update(psutil.Process(self.process.pid).children(recursive=True))

    def stop(self) -> dict:
        """SIGINT, then wait; what was left running afterwards."""
        self.note_children()
        started = time.monotonic()
        self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            code = None
        stop_s = round(time.monotonic() - started, 2)
        time.sleep(1)  # children the watcher signalled on its way out
        left = [p for p in self.seen_pids if _alive(p)]
        if code is None:
            left.append(psutil.Process(self.process.pid))
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)  # the bench must not leave it either
        for process in left:
            with contextlib.suppress(psutil.Error):
                process.kill()
        self._reader.join(timeout=5)
        return {"exit_code": code, "stop_s": stop_s,
                "left_processes": [f"{p.pid} {_name(p)}" for p in left]}

    def output(self) -> str:
        return "\n".join(line for _, line in self.lines)


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _name(process: psutil.Process) -> str:
    try:
        return " ".join(process.cmdline()[:4])
    except psutil.Error:
        return "?"


def watch_latency(kpi: Path, sources: Path, published: Path, env: dict[str, str], scale: int, drops: int,
                  as_of: str, work: Path) -> dict:
    """One `kpi watch` session: `drops` aggregate and `drops` person-level drops, one at a time; the dropped
    files are removed from the inbox afterwards (the warehouse is the caller's to restore)."""
    staging = work / "drops"
    staging.mkdir(parents=True, exist_ok=True)
    inbox = sources / "inbox"
    watcher = WatchProcess([str(kpi), "watch", "--sources", str(sources), "--warehouse", str(published),
                            "--as-of", as_of], {**env, "PYTHONUNBUFFERED": "1"})  # its lines as they are said
    result: dict = {}
    dropped: list[Path] = []
    warm_up_log = published.parent / "logs" / WARM_UP_LOG_NAME
    taken = {pid} if (pid := ready_spare(warm_up_log)) else set()  # an earlier session's spare, long gone
    watcher.start()
    try:
        _drop_all(watcher, inbox, staging, published, scale, drops, result, dropped, warm_up_log, taken)
    except Exception as exc:  # the rest of the benchmark goes on; the result says what went wrong
        result["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        result["stop"] = watcher.stop()
        for path in dropped:
            path.unlink(missing_ok=True)
    result["watch_output_lines"] = len(watcher.lines)
    result["watch_output_tail"] = [line for _, line in watcher.lines[-6:]]
    return result


def _drop_all(watcher: WatchProcess, inbox: Path, staging: Path, published: Path, scale: int, drops: int,
              result: dict, dropped: list[Path], warm_up_log: Path, taken: set[int]) -> None:
    watcher.wait_ready()
    wait_idle(published)
    for kind in ("aggregate", "person"):
        timings = []
        for drop in drops_of(kind, drops, scale):
            wait_for_a_warm_spare(warm_up_log, taken)
            timing = measure_drop(drop, inbox, staging, published)
            dropped.append(inbox / drop.source / timing.file_name)
            watcher.note_children()
            timings.append(timing)
            result[kind] = summary(timings)
            if timing.status == "timeout":  # the watcher ran nothing: the next drops would wait as long
                raise RuntimeError(f"{timing.file_name} blev ikke publiceret inden for {DROP_TIMEOUT_SECONDS:.0f} s")
