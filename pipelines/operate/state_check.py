"""Check the files a nightly run relies on before it uses them; set a damaged one aside, never delete it.

A run relies on state it wrote itself: the internal DuckDB file, the published file, the inputs record
(`<stem>.inputs.json`), the run log (`<stem>.runs.jsonl`), the lock file, dbt's target folder and, for
Prefect's temporary server, `prefect.db` in PREFECT_HOME. Any of them can be cut short by a failing disk,
an interrupted copy or a bad restore. Each is checked cheaply here (header, size against the header's block
count, the tables the run needs, JSON that parses); a damaged one is renamed to
`<name>.beskadiget-<YYYYMMDD-HHMMSS>` beside where it was, and the run goes on with what it can rebuild:

- the internal file from every delivery in the inbox (pipelines/load/rebuild.py);
- the published file from the internal one (the normal publish);
- the inputs record and dbt's target folder are caches: the run builds in full without them;
- the run log from its readable lines and the published `load_runs`;
- the lock file (only a lock path that cannot be opened: its content is rewritten by every run);
- Prefect's database: Prefect creates a new one (it holds only Prefect's own history; ours is `load_runs`).

What was set aside is told in Danish (`StateFinding.line_da`) in the run's summary, `load_runs`,
`seneste_koersel.md`, the alert e-mail and `kpi status` (which lists the set-aside files it finds).
"""

from __future__ import annotations

import json
import os
import sqlite3
import struct
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pipelines import prefect_runtime

SET_ASIDE_MARK = ".beskadiget-"
HEADER_BYTES = 4096
DUCKDB_MAGIC = b"DUCK"
DUCKDB_MAGIC_OFFSET = 8
DUCKDB_DEFAULT_BLOCK = 262144
SQLITE_MAGIC = b"SQLite format 3\x00"
INTERNAL_TABLES = (("raw", "load_ledger"),)
PREFECT_DB_NAME = prefect_runtime.DATABASE_FILE_NAME
DBT_TARGET_NAME = "dbt_target"
LOCK_CONFLICTS = ("Could not set lock on file", "Conflicting lock is held")


@dataclass(frozen=True)
class StateFinding:
    """One state file that was damaged or missing, what became of it, and what the run does instead."""

    what_da: str  # "Det interne lager"
    path: Path
    problem_da: str  # "er afkortet: …"
    remedy_da: str  # "Det genopbygges fra alle leverancer i indbakken."
    moved_to: Path | None = None  # where it was set aside; None when there was nothing to move

    def line_da(self) -> str:
        aside = f" Den er lagt til side som {self.moved_to.name} (intet er slettet)." if self.moved_to else ""
        return f"{self.what_da} ({self.path}) {self.problem_da}.{aside} {self.remedy_da}"


_early: list[StateFinding] = []


def note(finding: StateFinding) -> None:
    """Keep a finding made before the run's own check (the lock, Prefect's home) for the run's summary."""
    _early.append(finding)


def take_noted() -> list[StateFinding]:
    """The findings noted so far in this process, once."""
    taken = list(_early)
    _early.clear()
    return taken


def set_aside(path: Path, companions: tuple[Path, ...] = ()) -> Path:
    """Rename `path` (and its companions, e.g. a WAL) to a dated name beside it; return the new path."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    suffix = f"{SET_ASIDE_MARK}{stamp}"
    counter = 1
    while path.with_name(path.name + suffix).exists() or path.with_name(path.name + suffix).is_symlink():
        counter += 1
        suffix = f"{SET_ASIDE_MARK}{stamp}-{counter}"
    target = path.with_name(path.name + suffix)
    os.replace(path, target)
    for companion in companions:
        if companion.exists() or companion.is_symlink():
            os.replace(companion, companion.with_name(companion.name + suffix))
    return target


def set_aside_files(folder: Path) -> list[Path]:
    """Everything set aside in `folder`, oldest first by name's date (what `kpi status` lists)."""
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if SET_ASIDE_MARK in p.name), key=lambda p: p.stat().st_mtime)


def read_bytes(path: Path, limit: int = -1) -> bytes:
    """The first `limit` bytes of a state file (all with -1): every check reads through here."""
    with path.open("rb") as handle:
        return handle.read(limit)


def unreadable_da(path: Path, exc: OSError) -> str | None:
    if isinstance(exc, IsADirectoryError) or path.is_dir():
        return "er en mappe, ikke en fil"
    if isinstance(exc, PermissionError):
        return "kan ikke læses (adgang nægtet)"
    return f"kan ikke læses ({exc.strerror or exc})"


def _expected_duckdb_size(head: bytes) -> int | None:
    """The size the active database header promises (3 header blocks + block_count blocks), or None."""
    best: tuple[int, int] | None = None
    for offset in (HEADER_BYTES, 2 * HEADER_BYTES):
        fields = head[offset + 8: offset + 8 + 40]
        if len(fields) < 40:
            return None
        iteration, _meta, _free, block_count, block_size = struct.unpack("<QqqQQ", fields)
        if best is None or iteration > best[0]:
            if block_size < 4096 or block_size > 1 << 30 or block_size & (block_size - 1):
                block_size = DUCKDB_DEFAULT_BLOCK  # storage versions without the field
            best = (iteration, 3 * HEADER_BYTES + block_count * block_size)
    return best[1] if best else None


def duckdb_problem(path: Path, *, published: bool) -> str | None:
    """Why `path` is not a usable internal (or published) DuckDB file, in Danish; None when it is."""
    try:
        head = read_bytes(path, 3 * HEADER_BYTES)
    except OSError as exc:
        return unreadable_da(path, exc)
    if not head:
        return "er tom (0 byte)"
    if head[DUCKDB_MAGIC_OFFSET:DUCKDB_MAGIC_OFFSET + 4] != DUCKDB_MAGIC:
        return "er ikke en DuckDB-fil"
    expected = _expected_duckdb_size(head)
    size = path.stat().st_size
    # DuckDB cuts free blocks off the end of a file at a checkpoint while its header still counts them, so a
    # healthy file can be shorter than block_count promises (seen: 2 blocks of 256 KiB). Only a short file
    # whose tables cannot all be read to the end is truncated.
    if expected is None or (size < expected and not _every_table_reads(path)):
        return f"er afkortet ({size} byte, men dens hoved lover mindst {expected or 3 * HEADER_BYTES} byte)"
    return _duckdb_content_problem(path, published=published)


def _every_table_reads(path: Path) -> bool:
    """Every column of every table read to its last row (DuckDB checks each block as it reads it)."""
    import duckdb

    try:
        with duckdb.connect(str(path), read_only=True) as con:
            tables = con.execute("select schema_name, table_name from duckdb_tables()").fetchall()
            for schema, table in tables:
                con.execute(f'select count(*), max(length(cast(columns(*) as varchar))) from "{schema}"."{table}"'
                            ).fetchall()
    except duckdb.Error as exc:
        return any(marker in str(exc) for marker in LOCK_CONFLICTS)  # in use by a writer: not damaged
    return True


def _duckdb_content_problem(path: Path, *, published: bool) -> str | None:
    import duckdb

    try:
        with duckdb.connect(str(path), read_only=True) as con:
            tables = set(con.execute("select table_schema, table_name from information_schema.tables").fetchall())
            if published:
                return _published_tables_problem(tables)
            missing = [f"{s}.{t}" for s, t in INTERNAL_TABLES if (s, t) not in tables]
            if missing:
                return f"er ikke lagerets interne fil (tabellen {', '.join(missing)} mangler)"
            con.execute("select count(*) from raw.load_ledger").fetchall()
    except duckdb.Error as exc:
        if any(marker in str(exc) for marker in LOCK_CONFLICTS):
            return None  # another process has it open for writing: in use, not damaged
        return "kan ikke åbnes af DuckDB: " + str(exc).splitlines()[0][:300]
    return None


def _published_tables_problem(tables: set[tuple[str, str]]) -> str | None:
    from pipelines.contract_columns import PUBLISHED_TABLES

    foreign = sorted({schema for schema, _ in tables} - {"main"})
    if foreign:  # e.g. the internal file copied under the published name: raw, person-level data
        return f"er ikke et publiceret lager (den rummer de interne skemaer {', '.join(foreign)})"
    missing = [t for t in PUBLISHED_TABLES if ("main", t) not in tables]
    if missing:
        return f"er ikke et publiceret lager (tabellerne {', '.join(missing)} mangler)"
    return None


def json_file_problem(path: Path) -> str | None:
    """Why `path` is not one readable JSON object (the inputs record), in Danish; None when it is."""
    try:
        data = json.loads(read_bytes(path).decode("utf-8"))
    except OSError as exc:
        return unreadable_da(path, exc)
    except (UnicodeDecodeError, ValueError):
        return "er tom" if path.stat().st_size == 0 else "er ikke gyldig JSON (afkortet eller overskrevet)"
    if not isinstance(data, dict):
        return "er ikke den ventede JSON-post"
    return None


def prefect_db_problem(path: Path) -> str | None:
    """Why Prefect's SQLite database could not serve its temporary server, in Danish; None when it can."""
    try:
        head = read_bytes(path, len(SQLITE_MAGIC))
    except OSError as exc:
        return unreadable_da(path, exc)
    if len(head) == 0:
        return None  # SQLite treats an empty file as a new database; Prefect migrates it
    if head != SQLITE_MAGIC:
        return "er ikke en SQLite-database"
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            verdict = con.execute("pragma quick_check").fetchone()
            tables = {name for (name,) in con.execute("select name from sqlite_master where type = 'table'")}
            version = (con.execute("select version_num from alembic_version").fetchall()
                       if "alembic_version" in tables else [])
        finally:
            con.close()
    except sqlite3.Error as exc:
        return f"kan ikke læses af SQLite: {exc}"
    if verdict != ("ok",):
        return f"er beskadiget (SQLite: {verdict[0] if verdict else 'intet svar'})"
    if tables and len(version) != 1:
        return "har ingen gyldig migreringsversion (en opgradering blev afbrudt)"
    if version and version[0][0] not in prefect_revisions():
        return f"står på en migreringsversion ({version[0][0]}), som denne Prefect ikke kender"
    return None


def prefect_revisions() -> set[str]:
    """The SQLite migration revisions the installed Prefect knows (read from its migration scripts)."""
    revisions = set()
    for script in prefect_runtime.migrations_folder().glob("*.py"):
        for line in script.read_text(encoding="utf-8").splitlines():
            if line.startswith("revision = "):
                revisions.add(line.split("=", 1)[1].strip().strip("\"'"))
    return revisions


def dbt_target_problem(folder: Path) -> str | None:
    """Why dbt's target folder (a cache: partial parse, manifest, results) should not be reused; None if fine."""
    if not folder.is_dir():
        return "er ikke en mappe"
    for path in sorted(folder.iterdir()):
        if path.suffix == ".json":
            problem = json_file_problem(path)
        elif path.name == "partial_parse.msgpack":
            problem = _msgpack_problem(path)
        else:
            continue
        if problem:
            return f"rummer {path.name}, som {problem}"
    return None


def _msgpack_problem(path: Path) -> str | None:
    import msgpack

    try:
        msgpack.unpackb(read_bytes(path))
    except OSError as exc:
        return unreadable_da(path, exc)
    except Exception:  # msgpack raises several kinds for truncated or foreign bytes
        return "er afkortet eller overskrevet"
    return None
