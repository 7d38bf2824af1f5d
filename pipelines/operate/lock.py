"""One nightly run per warehouse at a time, with an OS lock that the kernel releases when the process dies.

`flock` on `<warehouse>.lock`: a run killed with SIGKILL (or a power cut) leaves no stale lock behind,
because the lock belongs to the open file description, not to the file. The file itself stays and
holds who has the lock (PID, start time) so that a second run can say whom it waited for.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType


@dataclass(frozen=True)
class LockHolder:
    pid: int
    started_at: datetime
    host: str

    def describe_da(self) -> str:
        return f"proces {self.pid} på {self.host}, startet {self.started_at:%Y-%m-%d %H:%M:%S}"


class RunLocked(RuntimeError):
    """Another run holds the warehouse's lock."""

    def __init__(self, lock_file: Path, holder: LockHolder | None) -> None:
        self.lock_file = lock_file
        self.holder = holder
        who = holder.describe_da() if holder else "en anden proces"
        super().__init__(f"En anden natkørsel er i gang for dette lager ({who}). Denne kørsel er sprunget over.")


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


def read_holder(lock_file: Path) -> LockHolder | None:
    try:
        data = json.loads(lock_file.read_text(encoding="utf-8"))
        return LockHolder(int(data["pid"]), datetime.fromisoformat(data["started_at"]), str(data["host"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _set_lock_file_aside(lock_file: Path, exc: OSError) -> Path:
    """Move an unusable lock path aside (state_check.py) and note it for the run's summary; the path again.

    Only a lock path that cannot be opened is set aside: its content is rewritten by every run, and the lock
    itself is the flock, so garbage inside the file is harmless (and moving a file another run holds would
    break the exclusion).
    """
    from pipelines.operate.state_check import StateFinding, note, set_aside, unreadable_da

    problem = unreadable_da(lock_file, exc) or "kan ikke åbnes"
    note(StateFinding("Låsefilen", lock_file, problem, "En ny låsefil er oprettet.", set_aside(lock_file)))
    return lock_file


class RunLock:
    """`with RunLock(warehouse): ...` holds the warehouse's lock, or raises `RunLocked` at once."""

    def __init__(self, warehouse: Path) -> None:
        self.file = lock_path(warehouse)
        self._fd: int | None = None

    def acquire(self) -> RunLock:
        self.file.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(self.file, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:  # e.g. a folder, or a file that cannot be opened, under the lock's name
            fd = os.open(_set_lock_file_aside(self.file, exc), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise RunLocked(self.file, read_holder(self.file)) from None
        holder = {"pid": os.getpid(), "started_at": datetime.now().isoformat(timespec="seconds"),
                  "host": socket.gethostname()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder).encode("utf-8"), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
