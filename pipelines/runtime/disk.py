"""A full disk, named as such: checked before a run copies anything, and recognised when it fills during one.

A build copies the internal file and writes a new published file beside the old ones, so a run needs about the
size of the internal file plus the published one free in the warehouse's folder before it starts. A disk can
still fill while the run writes (dbt's tables grow the build file); DuckDB, dbt and Python then fail with
"No space left on device", which the run turns into the same Danish cause. Either way the old files stand.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

from pipelines.settings import RunConfig

NO_SPACE_TEXTS = ("No space left on device", "ENOSPC", "database or disk is full")
MIB = 1024 * 1024


def mib_da(size: int) -> str:
    return f"{size / MIB:.1f} MB".replace(".", ",")


def space_needed(files: list[Path]) -> int:
    """About what a build writes beside the old files: the size of each file it copies or writes anew."""
    return sum(p.stat().st_size for p in files if p.is_file())


def free_space(folder: Path) -> int:
    return shutil.disk_usage(folder).free


def disk_full_da(folder: Path, needed: int, free: int | None = None) -> str:
    have = f", men der er kun {mib_da(free)} fri" if free is not None else ""
    return (f"Disken er fuld: kørslen skal bruge ca. {mib_da(needed)} fri plads i {folder} (til kopien af det "
            f"interne lager og det nye publicerede){have}. Frigør plads (fx filer lagt til side som *.beskadiget-*, "
            "når de er undersøgt), så publicerer næste kørsel af sig selv.")


def space_problem(folder: Path, files: list[Path]) -> str | None:
    """The Danish cause when the warehouse's folder has less free space than the run needs, else None."""
    needed = space_needed(files)
    free = free_space(folder)
    return disk_full_da(folder, needed, free) if free < needed else None


def is_disk_full(exc: BaseException | str) -> bool:
    """Whether an error (or a child process's error text) says the disk is full."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return True
    text = exc if isinstance(exc, str) else f"{exc} {exc.__cause__ or ''} {exc.__context__ or ''}"
    return any(marker in text for marker in NO_SPACE_TEXTS)


def _warehouse_files(config: RunConfig) -> list[Path]:
    return [config.internal_warehouse, config.warehouse]


def run_space_problem(config: RunConfig, nothing_new: bool) -> str | None:
    """Before a run copies anything: a build copies the internal file and writes a published one; a run with
    nothing new writes only the published one."""
    files = [config.warehouse] if nothing_new else _warehouse_files(config)
    return space_problem(config.warehouse.parent, files)


def disk_full_in_run_da(config: RunConfig) -> str:
    return disk_full_da(config.warehouse.parent, space_needed(_warehouse_files(config)))


def failure_da(config: RunConfig, exc: BaseException) -> str:
    """The cause of a failed run: a full disk named as such, else the error as it was raised."""
    return disk_full_in_run_da(config) if is_disk_full(exc) else f"{type(exc).__name__}: {exc}"
