"""What the published warehouse was built from, so that a run with nothing new need not build again.

A run's inputs are every inbox file (folder, name, content hash), every resolved reference file, the code
that computes (`pipelines/`, `dbt_project/`, `expectations/`, the lockfile), the as-of date, the plan and
the pseudonymisation key's fingerprint. Building twice from the same inputs on the state the first build
left writes the same tables (discover finds every file already seen), so when a run's inputs equal those
of the last published build, the run only republishes `load_runs` with itself added.

The as-of date reaches the tables only through comparisons with dates (a period's end, its publication date,
when a source turns stale, a delivery's deadline). The build records the window of as-of dates in which none of
them changes its result (dbt model int_run__as_of_window), so a run on a later (or earlier) day whose other
inputs are the last build's, with its date inside that window, has nothing new either.

The record (`<warehouse stem>.inputs.json` beside the published file) is written after both swaps and
names the size and modification time of the internal and published files it belongs to. A run killed
before the record is written, a warehouse file replaced or removed by hand, or any changed input makes
the next run build in full. The record also caches each inbox file's hash by (size, mtime, ctime, inode),
as git's index does, so a run reads only the files that changed. Paths and names in it are masked
(`mask_cpr`): a CPR number in a delivery's name must not reach the record, not even hashed (the CPR space is
small enough to search).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipelines.delivery.discover import sha256_of, shown_name
from pipelines.privacy.detector import mask_cpr
from pipelines.settings import DBT_PROJECT_DIR, EXPECTATIONS_DIR, REPO_ROOT

RECORD_VERSION = 1
CODE_DIRS = (REPO_ROOT / "pipelines", DBT_PROJECT_DIR, EXPECTATIONS_DIR)
CODE_FILES = (REPO_ROOT / "uv.lock", REPO_ROOT / "pyproject.toml")
CODE_SUFFIXES = {".py", ".sql", ".yml", ".yaml", ".json", ".csv", ".toml", ".lock", ".md", ".jinja", ".html",
                 ".css"}
SKIPPED_CODE_DIRS = {"target", "logs", "dbt_packages", "__pycache__", ".pytest_cache"}


def record_path(published: Path) -> Path:
    return published.with_name(published.stem + ".inputs.json")


def _cache_key(path: Path) -> str:
    """The record's key for an inbox file: its resolved path with every CPR number masked."""
    return mask_cpr(str(path.resolve()))


def _stat_key(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]


@dataclass
class FileHashes:
    """sha256 of files, read again only when a file's size, mtime, ctime or inode changed."""

    known: dict[str, tuple[list[int], str]] = field(default_factory=dict)
    used: dict[str, tuple[list[int], str]] = field(default_factory=dict)

    def sha256(self, path: Path) -> str:
        key, stat = _cache_key(path), _stat_key(path)
        cached = self.known.get(key)
        sha = cached[1] if cached and list(cached[0]) == stat else sha256_of(path)
        self.used[key] = (stat, sha)
        return sha


def _code_files() -> list[Path]:
    files = [p for p in CODE_FILES if p.is_file()]
    for folder in CODE_DIRS:
        for root, dirs, names in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d not in SKIPPED_CODE_DIRS and not d.startswith("."))
            files += [Path(root) / n for n in sorted(names) if Path(n).suffix in CODE_SUFFIXES]
    return files


def code_version() -> str:
    """One hash over the code that turns deliveries into the warehouse."""
    digest = hashlib.sha256()
    for path in _code_files():
        digest.update(str(path.relative_to(REPO_ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def input_parts(inbox_files: list[tuple[str, Path]], reference_files: dict[str, Path], as_of: date,
                plan_id: str, key_fingerprint: str, hashes: FileHashes) -> dict[str, str]:
    """One hash per kind of input (inbox, reference, code) and the plain values of the others."""
    inbox = [[mask_cpr(folder), shown_name(path), hashes.sha256(path)] for folder, path in inbox_files]
    return {"inbox": _hash_json(inbox), "reference": reference_hash(reference_files), "code": code_version(),
            "as_of": as_of.isoformat(), "plan_id": plan_id, "key": key_fingerprint}


def reference_hash(reference_files: dict[str, Path]) -> str:
    return _hash_json({name: sha256_of(path) for name, path in sorted(reference_files.items())})


def checked_by_last_build(record: InputsRecord | None, reference_files: dict[str, Path]) -> bool:
    """Whether the last recorded run passed the catalog check on these reference files with this code.

    A record is written only by a run whose reference files passed the check, so the check need not run (nor
    import the workbook reader and the parsers) again for the same files and code.
    """
    return record is not None and bool(record.parts) and \
        record.parts.get("reference") == reference_hash(reference_files) and record.parts.get("code") == code_version()


def fingerprint_of(parts: dict[str, str]) -> str:
    return _hash_json(parts)


def _hash_json(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


AS_OF_WINDOW_TABLE = "intermediate.int_run__as_of_window"


@dataclass(frozen=True)
class AsOfWindow:
    """The as-of dates for which a build's tables hold: from `valid_from` (None: any earlier date) up to,
    not including, `valid_until` (None: any later date)."""

    valid_from: date | None
    valid_until: date | None

    def holds(self, as_of: date) -> bool:
        return (self.valid_from is None or self.valid_from <= as_of) and \
            (self.valid_until is None or as_of < self.valid_until)

    def as_json(self) -> list[str | None]:
        return [d.isoformat() if d else None for d in (self.valid_from, self.valid_until)]

    @classmethod
    def from_json(cls, value: list[str | None]) -> AsOfWindow:
        valid_from, valid_until = (date.fromisoformat(d) if d else None for d in value)
        return cls(valid_from, valid_until)


def read_as_of_window(build: Path) -> AsOfWindow | None:
    """The window dbt computed in a build file (int_run__as_of_window); None when it is absent."""
    import duckdb

    try:
        with duckdb.connect(str(build), read_only=True) as con:
            rows = con.execute(f"select valid_from, valid_until from {AS_OF_WINDOW_TABLE}").fetchall()
    except duckdb.Error:
        return None
    return AsOfWindow(*rows[0]) if len(rows) == 1 else None


@dataclass(frozen=True)
class InputsRecord:
    fingerprint: str
    warehouse_files: dict[str, list[int]]
    file_hashes: dict[str, tuple[list[int], str]]
    parts: dict[str, str] = field(default_factory=dict)
    as_of_window: AsOfWindow | None = None

    def describes(self, warehouse_files: list[Path]) -> bool:
        """Whether the warehouse files are still the ones the recorded build wrote."""
        return _warehouse_stats(warehouse_files) == self.warehouse_files

    def holds_for_new_date(self, parts: dict[str, str]) -> bool:
        """Whether inputs that differ from the build's at most in the as-of date, inside its window, build the
        same tables."""
        if self.as_of_window is None or not self.parts or fingerprint_of(self.parts) != self.fingerprint:
            return False
        if _without_as_of(parts) != _without_as_of(self.parts):
            return False
        return self.as_of_window.holds(date.fromisoformat(parts["as_of"]))


def _without_as_of(parts: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in parts.items() if name != "as_of"}


def _warehouse_stats(files: list[Path]) -> dict[str, list[int]] | None:
    if not all(p.is_file() for p in files):
        return None
    return {p.name: _stat_key(p)[:2] for p in files}  # size, mtime: a faithful copy (cp -p) matches


def read_record(published: Path) -> InputsRecord | None:
    try:
        data = json.loads(record_path(published).read_text(encoding="utf-8"))
        if data.get("version") != RECORD_VERSION:
            return None
        window = data.get("as_of_window")
        return InputsRecord(data["fingerprint"], data["warehouse_files"],
                            {k: (v[0], v[1]) for k, v in data["file_hashes"].items()}, data.get("parts", {}),
                            AsOfWindow.from_json(window) if window else None)
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def unchanged_since_last_build(record: InputsRecord | None, fingerprint: str, warehouse_files: list[Path]) -> bool:
    """True when the last published build had these inputs and its files are still the ones it wrote."""
    return record is not None and record.fingerprint == fingerprint and record.describes(warehouse_files)


def only_as_of_moved_within_window(record: InputsRecord | None, parts: dict[str, str],
                                   warehouse_files: list[Path]) -> bool:
    """True when the last published build's inputs differ from these only in an as-of date inside the build's
    window, and its files are still the ones it wrote: a build would write the same tables."""
    return record is not None and record.holds_for_new_date(parts) and record.describes(warehouse_files)


def write_record(published: Path, fingerprint: str, warehouse_files: list[Path], hashes: FileHashes,
                 parts: dict[str, str] | None = None, as_of_window: AsOfWindow | None = None) -> None:
    """Write the record atomically; call it only after the build's files are in place."""
    stats = _warehouse_stats(warehouse_files)
    if stats is None:
        return
    target = record_path(published)
    scratch = target.with_name(target.name + ".tmp")
    scratch.write_text(json.dumps({"version": RECORD_VERSION, "fingerprint": fingerprint, "warehouse_files": stats,
                                   "file_hashes": hashes.used, "parts": parts or {},
                                   "as_of_window": as_of_window.as_json() if as_of_window else None}, indent=1),
                       encoding="utf-8")
    os.replace(scratch, target)


def forget_record(published: Path) -> None:
    record_path(published).unlink(missing_ok=True)


def inbox_may_have_new_files(files: list[Path], published: Path) -> bool:
    """Whether some inbox file is not, unchanged, among the files the last build hashed (stat only, no reads).

    True also without a record. Used to start the GX import early; a wrong guess costs only that.
    """
    record = read_record(published)
    if record is None:
        return True
    for path in files:
        cached = record.file_hashes.get(_cache_key(path))
        if cached is None or list(cached[0]) != _stat_key(path):
            return True
    return False
