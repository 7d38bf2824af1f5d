"""`kpi watch`: run the nightly flow as soon as a dropped file has stopped growing, one run at a time.

The pieces, each testable without a watcher or a subprocess:
- `SettleTracker`: a file is ready when its size and mtime have not changed for `settle_seconds`.
- `TriedContents`: the content hashes already handed to a run; an unchanged file is never run again
  (no retry loop on a file that keeps failing), a changed file is.
- `status_changes`: how many kpi_status rows changed status between two snapshots of the published file.
- `Publication`: the moment the published file is replaced during a run (told before the report follows).
- `run_nightly`: one process in its own process group, stoppable, its output captured.

Each run is a process of its own rather than a call in this process: a crash (or a native abort in a
library) cannot take the watcher down, nothing a run imports or allocates stays behind in a process that
runs for months, and a stop can end the whole run's process group. `kpi watch` starts that process ahead of
time, warm (pipelines/operate/warm_spare.py), and keeps one Prefect server for all its runs
(pipelines/operate/warm_server.py); `cold_run` (a plain `kpi nightly` subprocess) is what runs without them.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.exit_codes import ExitCode
from pipelines.settings import INBOX_DIR_NAME

DROP_DIR_NAMES = (INBOX_DIR_NAME, "modtaget")
SETTLE_SECONDS = 1.5
STOP_GRACE_SECONDS = 30.0
LOCKED_RETRY_SECONDS = 30.0

Clock = Callable[[], float]
Stat = tuple[int, int]  # size, mtime in ns


def watched_dirs(sources: Path) -> list[Path]:
    """The drop folders under SOURCES that exist: inbox/ and, where present, modtaget/."""
    return [sources / name for name in DROP_DIR_NAMES if (sources / name).is_dir()]


def is_delivery_candidate(path: Path) -> bool:
    """Office lock files (~$x.xlsx, .~lock.x#), hidden and partial files are never deliveries."""
    name = path.name
    return not (name.startswith((".", "~")) or name.endswith((".tmp", ".part", ".crdownload", "#")))


def file_stat(path: Path) -> Stat | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns) if path.is_file() else None


@dataclass
class SettleTracker:
    """Files seen changing, and since when their size and mtime have stayed the same."""

    settle_seconds: float = SETTLE_SECONDS
    clock: Clock = time.monotonic
    stat: Callable[[Path], Stat | None] = file_stat
    _pending: dict[Path, tuple[Stat, float]] = field(default_factory=dict)

    def saw(self, paths: Iterable[Path]) -> None:
        """Paths the watcher reported as added or modified."""
        now = self.clock()
        for path in paths:
            if is_delivery_candidate(path) and (current := self.stat(path)) is not None:
                self._pending[path] = (current, now)

    def ready(self) -> list[Path]:
        """Files unchanged for settle_seconds (removed from the pending set); a file that changed starts over,
        a file that vanished is forgotten."""
        now, out = self.clock(), []
        for path, (seen, since) in list(self._pending.items()):
            current = self.stat(path)
            if current is None:
                del self._pending[path]
            elif current != seen:
                self._pending[path] = (current, now)
            elif now - since >= self.settle_seconds:
                del self._pending[path]
                out.append(path)
        return sorted(out)

    @property
    def waiting(self) -> bool:
        return bool(self._pending)


def content_hash(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


@dataclass
class TriedContents:
    """The contents already run, by hash: the same content is never run twice, whatever its outcome."""

    hasher: Callable[[Path], str | None] = content_hash
    _tried: set[str] = field(default_factory=set)

    def new_files(self, paths: Iterable[Path]) -> dict[Path, str]:
        """Of `paths`, those whose content has not been run yet, with their hashes."""
        out = {}
        for path in paths:
            digest = self.hasher(path)
            if digest is not None and digest not in self._tried:
                out[path] = digest
        return out

    def remember(self, hashes: Iterable[str]) -> None:
        self._tried.update(hashes)


StatusKey = tuple[str, str, str]


def published_statuses(warehouse: Path) -> dict[StatusKey, str]:
    """criterion × area × period → status in the published file; empty when there is none yet."""
    import duckdb

    if not warehouse.is_file():
        return {}
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            rows = con.execute("select criterion_id, area_key, period, status from kpi_status").fetchall()
    except duckdb.Error:
        return {}
    return {(c, a, p): s for c, a, p, s in rows}


def published_hashes(warehouse: Path) -> set[str]:
    """The sha256 of every file the published ledger has seen (loaded, duplicate, superseded or rejected)."""
    import duckdb

    if not warehouse.is_file():
        return set()
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return {row[0] for row in con.execute("select sha256 from load_ledger where sha256 is not null").fetchall()}
    except duckdb.Error:
        return set()


def status_changes(before: dict[StatusKey, str], after: dict[StatusKey, str]) -> dict[tuple[str, str], int]:
    """(old status, new status) → how many rows moved so; '' for a row that appeared or disappeared."""
    counts: dict[tuple[str, str], int] = {}
    for key in before.keys() | after.keys():
        old, new = before.get(key, ""), after.get(key, "")
        if old != new:
            counts[(old, new)] = counts.get((old, new), 0) + 1
    return counts


def describe_status_changes(counts: dict[tuple[str, str], int]) -> str:
    if not counts:
        return "Statusændringer: ingen."
    total = sum(counts.values())
    parts = [f"{n} {old or '(ny)'} → {new or '(fjernet)'}" for (old, new), n in
             sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
    return f"Statusændringer: {total} ({'; '.join(parts)})."


@dataclass(frozen=True)
class RunResult:
    exit_code: int | None  # None: the run was stopped by the watcher's stop
    output: str
    seconds: float


class RunNotStarted(RuntimeError):
    """A run could not be started now (Prefect's server does not answer); the files are tried again later.
    The message is Danish, for the analyst."""


POLL_SECONDS = 0.1  # how often a run's end, the stop and the publication are looked at
GROUP_END_SECONDS = 5.0  # how long a killed run's group may take to go
WhileRunning = Callable[[], None]


def nightly_arguments(sources: Path, warehouse: Path, as_of: str | None = None) -> list[str]:
    """The `kpi` arguments of one run."""
    arguments = ["nightly", "--sources", str(sources), "--warehouse", str(warehouse)]
    return arguments + (["--as-of", as_of] if as_of else [])


def nightly_command(arguments: list[str]) -> list[str]:
    return [sys.executable, "-m", "pipelines.cli", *arguments]


def run_env() -> dict[str, str]:
    return {**os.environ, "COLUMNS": os.environ.get("COLUMNS", "200")}


def wait_for_run(child: subprocess.Popen, stop: threading.Event, while_running: WhileRunning | None = None,
                 poll_seconds: float = POLL_SECONDS) -> bool:
    """Wait until `child` (the leader of its own process group) ends, calling `while_running` meanwhile; on
    `stop`, SIGINT the group, then SIGKILL it after STOP_GRACE_SECONDS. Whatever is left in the group
    afterwards is killed. True when the run was stopped."""
    stopped = False
    while child.poll() is None:
        if stop.wait(poll_seconds):
            stopped = True
            signal_group(child.pid, signal.SIGINT)
            try:
                child.wait(STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                signal_group(child.pid, signal.SIGKILL)
                child.wait()
            break
        if while_running is not None:
            while_running()
    if while_running is not None and not stopped:
        while_running()  # a publication in the last poll interval is told before the run's end
    # whatever the run left in its group (dbt, parse workers); a Prefect server has a session of its own and
    # ends with the process that started it (pipelines/operate/server.py)
    signal_group(child.pid, signal.SIGKILL)
    wait_for_group_end(child.pid)
    return stopped


def wait_for_group_end(pgid: int, timeout: float = GROUP_END_SECONDS) -> bool:
    """Wait, bounded, until no process of group `pgid` is still running; True when none is. A SIGKILL is
    delivered asynchronously, and under load a killed process can run on for a moment after `killpg` returns."""
    import psutil

    deadline = time.monotonic() + timeout
    while True:
        running = False
        for process in psutil.process_iter():
            with contextlib.suppress(psutil.Error, ProcessLookupError):
                running = os.getpgid(process.pid) == pgid and process.status() != psutil.STATUS_ZOMBIE
            if running:
                break
        if not running or time.monotonic() >= deadline:
            return not running
        time.sleep(0.02)


def run_nightly(command: list[str], stop: threading.Event, while_running: WhileRunning | None = None,
                poll_seconds: float = POLL_SECONDS) -> RunResult:
    """Run `command` in its own process group, output captured, stoppable (`wait_for_run`). Nothing of the
    group outlives this call."""
    started = time.monotonic()
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as out:
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 env=run_env(), start_new_session=True, text=True)
        stopped = wait_for_run(child, stop, while_running, poll_seconds)
        out.seek(0)
        output = out.read()
    return RunResult(None if stopped else child.returncode, output, time.monotonic() - started)


def cold_run(arguments: list[str], stop: threading.Event, while_running: WhileRunning | None = None) -> RunResult:
    """One run as a fresh `kpi nightly` subprocess (it pays its own start-up)."""
    return run_nightly(nightly_command(arguments), stop, while_running)


def signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


FileIdentity = tuple[int, int, int]  # inode, size, mtime in ns


def file_identity(path: Path) -> FileIdentity | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


@dataclass
class Publication:
    """Whether the published file has been replaced since this object was made: publishing swaps a new file
    in (pipelines/publish/duckdb_file.py), and nothing else replaces it during a run."""

    warehouse: Path
    identity: Callable[[Path], FileIdentity | None] = file_identity
    _before: FileIdentity | None = None
    _told: bool = False

    def __post_init__(self) -> None:
        self._before = self.identity(self.warehouse)

    def first_seen(self) -> bool:
        """True once: the first time the file is found replaced."""
        if self._told:
            return False
        now = self.identity(self.warehouse)
        self._told = now is not None and now != self._before
        return self._told

    @property
    def seen(self) -> bool:
        return self._told


STALE_MTIME_SECONDS = 60.0  # a file copied with its old modification time: counted from when it was seen


def dropped_at(paths: Iterable[Path], seen_at: float) -> float:
    """When the batch was dropped (wall clock): its newest file's modification time, unless that lies long
    before the watcher saw the files settle (`seen_at`: a copy that kept an old mtime)."""
    mtimes = [stat[1] / 1e9 for path in paths if (stat := file_stat(path)) is not None]
    newest = max(mtimes, default=seen_at)
    return newest if seen_at - newest <= STALE_MTIME_SECONDS else seen_at


def seconds_da(seconds: float) -> str:
    return f"{seconds:.1f}".replace(".", ",") + " s"


OUTCOME_DA = {
    0: "Kørslen er færdig, og lageret er publiceret.",
    3: "Kørslen er færdig; en eller flere filer blev afvist (resten er indlæst og publiceret).",
    4: "Kørslen fejlede; det tidligere lager er stadig publiceret og uændret.",
    ExitCode.LOCKED: "En anden natkørsel er i gang for lageret; filerne prøves igen, når den er færdig.",
}


def outcome_da(result: RunResult) -> str:
    if result.exit_code is None:
        return ("Kørslen blev afbrudt, fordi overvågningen stopper; nåede den ikke at publicere, er det tidligere "
                "lager stadig publiceret (kørslens egne linjer ovenfor siger hvilket).")
    return OUTCOME_DA.get(result.exit_code, f"Kørslen sluttede med exitkode {result.exit_code}.")


def files_da(paths: Iterable[Path]) -> str:
    return ", ".join(path.name for path in paths)


Runner = Callable[[list[str], threading.Event, WhileRunning], RunResult]


def nothing() -> None:
    return None


@dataclass
class Watcher:
    """What `kpi watch` does with the changes it is told about; `serve` feeds it from watchfiles."""

    sources: Path
    warehouse: Path
    stop: threading.Event
    say: Callable[[str], None]
    runner: Runner = cold_run
    tracker: SettleTracker = field(default_factory=SettleTracker)
    tried: TriedContents = field(default_factory=TriedContents)
    clock: Clock = time.monotonic
    wall_clock: Clock = time.time
    locked_retry_seconds: float = LOCKED_RETRY_SECONDS
    as_of: str | None = None  # tests: a fixed as-of date for every run (default: the day of the run)
    before_run: Callable[[], None] = nothing  # raises RunNotStarted when no run can start now (the server)
    idle: Callable[[], None] = nothing  # on every tick: housekeeping (a spare process replaced)
    after_run: Callable[[], None] = nothing  # after every run: housekeeping (orphans of the run reaped)
    _held: list[Path] = field(default_factory=list)  # a batch skipped because another run held the lock
    _retry_at: float = 0.0

    def changed(self, paths: Iterable[Path]) -> None:
        """Added or modified paths (anywhere under SOURCES); only those in a drop folder count."""
        self.tracker.saw(path for path in paths if self._in_drop_folder(path))

    def _in_drop_folder(self, path: Path) -> bool:
        try:
            relative = path.resolve().relative_to(self.sources.resolve())
        except ValueError:
            return False
        return len(relative.parts) > 1 and relative.parts[0] in DROP_DIR_NAMES

    def tick(self) -> RunResult | None:
        """Run the nightly for the files that have settled (and a held batch that is due), if any is new."""
        self.idle()
        batch = self.tracker.ready()
        if self._held and self.clock() >= self._retry_at:
            batch, self._held = sorted({*batch, *self._held}), []
        if not batch:
            return None
        new = self.tried.new_files(batch)
        if unchanged := [path for path in batch if path not in new]:
            self.say(f"Uændret siden sidste kørsel, køres ikke igen: {files_da(unchanged)}. "
                     "Ret filen (eller læg en ny), så prøves den igen.")
        if new and (known := published_hashes(self.warehouse) & set(new.values())):
            in_ledger = [path for path, digest in new.items() if digest in known]
            self.say(f"Allerede i lagerets indlæsningslog med samme indhold (se 'kpi deliveries'): "
                     f"{files_da(in_ledger)}.")
            self.tried.remember(known)
            new = {path: digest for path, digest in new.items() if digest not in known}
        if not new:
            return None
        return self._run(list(new), set(new.values()))

    def _hold(self, files: list[Path]) -> None:
        """Run `files` again after locked_retry_seconds (with whatever else has settled by then)."""
        self._held, self._retry_at = files, self.clock() + self.locked_retry_seconds

    def _run(self, files: list[Path], hashes: set[str]) -> RunResult | None:
        self.say(f"Ny leverance: {files_da(files)}. Natkørslen starter.")
        dropped = dropped_at(files, self.wall_clock() - self.tracker.settle_seconds)
        try:
            self.before_run()
        except RunNotStarted as exc:
            if not self.stop.is_set():
                self.say(f"{exc} Filerne prøves igen om {self.locked_retry_seconds:.0f} s.")
                self._hold(files)
            return None
        snapshot = self._drop_folder_stats()
        publication = Publication(self.warehouse)

        def tell_publication() -> None:
            if publication.first_seen():
                self.say(f"Lageret er publiceret, {seconds_da(self.wall_clock() - dropped)} efter at filen kom; "
                         "rapporten følger.")

        try:
            before = published_statuses(self.warehouse)
            result = self.runner(nightly_arguments(self.sources, self.warehouse, self.as_of), self.stop,
                                 tell_publication)
            after = published_statuses(self.warehouse)
        except Exception as exc:  # one run's trouble never ends the watcher
            self.tried.remember(hashes)
            self.say(f"Kørslen kunne ikke gennemføres ({type(exc).__name__}: {exc}); filerne prøves igen, "
                     "når de ændres.")
            return None
        finally:
            self.tracker.saw(path for path, stat in self._drop_folder_stats().items()  # arrived during the run:
                             if snapshot.get(path) != stat)                               # the next run takes it
            self.after_run()
        for line in result.output.splitlines():
            if line.strip():
                self.say(line.rstrip())
        if result.exit_code == ExitCode.LOCKED:
            self._hold(files)
        elif result.exit_code is not None:
            self.tried.remember(hashes)
        self.say(f"{outcome_da(result)} ({result.seconds:.0f} s)")
        if result.exit_code not in (None, ExitCode.LOCKED):
            self.say(describe_status_changes(status_changes(before, after)))
        return result

    def _drop_folder_stats(self) -> dict[Path, Stat]:
        """Size and mtime of every file in the drop folders: a safety net for changes during a run."""
        out = {}
        for folder in watched_dirs(self.sources):
            for path in folder.rglob("*"):
                if (stat := file_stat(path)) is not None:
                    out[path] = stat
        return out


def serve(watcher: Watcher, tick_ms: int = 500, on_ready: Callable[[], None] = nothing) -> None:
    """Feed `watcher` from watchfiles until its stop event is set. Blocks; a run blocks the feed, and the
    changes of the meantime are delivered when it resumes. `on_ready` is called once the folders are watched
    (at watchfiles' first yield): a file written after it is seen."""
    from watchfiles import Change, watch

    for changes in watch(watcher.sources, stop_event=watcher.stop, rust_timeout=tick_ms, yield_on_timeout=True,
                         debounce=tick_ms, raise_interrupt=False):
        on_ready, ready = nothing, on_ready
        ready()
        watcher.changed(Path(path) for change, path in changes if change != Change.deleted)
        if watcher.stop.is_set():
            return
        watcher.tick()
