"""A DuckDB file and what DuckDB keeps beside it; the build file's name. No heavy imports: a run with nothing
new uses these too."""

from __future__ import annotations

import shutil
from pathlib import Path


def database_files(database: Path) -> list[Path]:
    """A DuckDB file and what DuckDB keeps beside it: its write-ahead log and its spill folder."""
    return [database, database.with_name(database.name + ".wal"), database.with_name(database.name + ".tmp")]


def remove_database(database: Path) -> None:
    """Remove a DuckDB file with its WAL and spill folder (nothing of it may be reused)."""
    for path in database_files(database):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def build_path(internal: Path) -> Path:
    return internal.with_name(internal.name + ".build")
