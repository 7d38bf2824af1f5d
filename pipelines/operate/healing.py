"""At the start of a run, under its lock: check each state file (state_check.py) and heal what is damaged.

Order matters: the published file is checked first, because a damaged internal file is rebuilt with the
history only the published file still has (first load times, `kpi_status_history`), and a lost run log is
seeded from its `load_runs`. A file that is damaged is set aside, never deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipelines.load.files import build_path, database_files
from pipelines.load.inputs import read_record, record_path
from pipelines.operate import state_check
from pipelines.operate.state_check import (
    DBT_TARGET_NAME,
    PREFECT_DB_NAME,
    StateFinding,
    dbt_target_problem,
    duckdb_problem,
    json_file_problem,
    note,
    prefect_db_problem,
    set_aside,
    unreadable_da,
)
from pipelines.runtime.run_records import OUTCOMES, RunRecord, append_run, runlog_path
from pipelines.settings import RunConfig, internal_warehouse_path
from pipelines.transform.dbt import dbt_child_preloaded, preload_dbt

INTERNAL_DA = "Det interne lager"
PUBLISHED_DA = "Det publicerede lager"
REBUILD_DA = ("Det genopbygges fra alle leverancer i indbakken og referencefilerne (dbt bygger alt forfra); "
              "det publicerede lager står uændret, til det nye er klar.")
PUBLISHED_AGAIN_DA = "Det genskabes fra det interne lager ved denne kørsel."
REQUESTED_DA = "genopbygges på forlangende (kpi rebuild)"


@dataclass
class HealedState:
    """What the check found and did; `rebuild_internal` makes the run build the internal file from scratch."""

    findings: list[StateFinding] = field(default_factory=list)
    rebuild_internal: bool = False

    def lines_da(self) -> list[str]:
        return [f.line_da() for f in self.findings]


def _duckdb_companions(path: Path) -> tuple[Path, ...]:
    return tuple(database_files(path)[1:])


def _heal_duckdb(path: Path, what_da: str, remedy_da: str, *, published: bool) -> StateFinding | None:
    if not (path.exists() or path.is_symlink()):
        return None
    problem = duckdb_problem(path, published=published)
    if problem is None:
        return None
    return StateFinding(what_da, path, problem, remedy_da, set_aside(path, _duckdb_companions(path)))


def heal_warehouse_state(config: RunConfig, rebuild_requested: bool = False) -> HealedState:
    """Check and heal every state file of the warehouse; call it holding the run lock, before the run log."""
    state = HealedState()
    published = _heal_duckdb(config.warehouse, PUBLISHED_DA, PUBLISHED_AGAIN_DA, published=True)
    internal = _heal_duckdb(config.internal_warehouse, INTERNAL_DA, REBUILD_DA, published=False)
    if internal is None and rebuild_requested and config.internal_warehouse.exists():
        internal = StateFinding(INTERNAL_DA, config.internal_warehouse, REQUESTED_DA, REBUILD_DA,
                                set_aside(config.internal_warehouse, _duckdb_companions(config.internal_warehouse)))
    elif internal is None and not config.internal_warehouse.exists() and (config.warehouse.is_file() or published):
        internal = StateFinding(INTERNAL_DA, config.internal_warehouse, "mangler", REBUILD_DA)
    if published is None and not config.warehouse.exists() and config.internal_warehouse.is_file():
        published = StateFinding(PUBLISHED_DA, config.warehouse, "mangler", PUBLISHED_AGAIN_DA)
    state.findings += [f for f in (published, internal) if f]
    state.rebuild_internal = internal is not None  # a new warehouse (neither file yet) is no rebuild
    state.findings += [f for f in (_heal_record(config.warehouse), _heal_runlog(config.warehouse),
                                   _heal_dbt_target(config.warehouse.parent / DBT_TARGET_NAME)) if f]
    return state


def _record_problem(path: Path, published: Path) -> str | None:
    problem = json_file_problem(path)
    if problem is None and read_record(published) is None:
        return "er ikke en gyldig post over input (forkert fil eller en anden version)"
    return problem


def _heal_record(published: Path) -> StateFinding | None:
    path = record_path(published)
    if not (path.exists() or path.is_symlink()) or (problem := _record_problem(path, published)) is None:
        return None
    return StateFinding("Posten over sidste kørsels input", path, problem,
                        "Kørslen bygger derfor alt, som om intet var bygget før.", set_aside(path))


def preload_dbt_on_a_sound_target(warehouse: Path) -> None:
    """Start dbt's pre-warmed child (pipelines/transform/dbt.py) for `warehouse`'s build, unless dbt's target folder
    is damaged. The child parses into that folder, so it is judged here, before the child starts; a damaged one is
    left to the run's check, which sets it aside and tells the analyst, and dbt then parses afresh."""
    if _dbt_target_damage(warehouse.parent / DBT_TARGET_NAME) is None:
        preload_dbt(build_path(internal_warehouse_path(warehouse)))


def _dbt_target_damage(folder: Path) -> str | None:
    return dbt_target_problem(folder) if folder.exists() or folder.is_symlink() else None


def _heal_dbt_target(folder: Path) -> StateFinding | None:
    if dbt_child_preloaded():  # judged sound when the child was started; the child may be writing it now
        return None
    if (problem := _dbt_target_damage(folder)) is None:
        return None
    return StateFinding("dbt's arbejdsmappe", folder, problem, "dbt opretter den igen og parser projektet forfra.",
                        set_aside(folder))


def _parsed_lines(raw: bytes) -> tuple[list[RunRecord], int]:
    """The run log's readable records, and how many non-empty lines could not be read."""
    records, bad = [], 0
    for line in raw.split(b"\n"):
        if not line.strip():
            continue
        try:
            record = RunRecord.from_json(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, TypeError, KeyError, AttributeError):
            bad += 1
            continue
        if record.outcome not in OUTCOMES:
            bad += 1
            continue
        records.append(record)
    return records, bad


def _runlog_problem(path: Path) -> tuple[str | None, list[RunRecord]]:
    try:
        raw = state_check.read_bytes(path)  # the one reader of state files (a test injects EACCES there)
    except OSError as exc:
        return unreadable_da(path, exc), []
    if not raw:
        return "er tom (0 byte)", []
    records, bad = _parsed_lines(raw)
    if bad:
        return f"har {bad} linje(r), der ikke kan læses (afkortet eller overskrevet)", records
    return None, records


def _published_runs(published: Path) -> list[RunRecord]:
    from pipelines.operate.history import _published_runs as read_load_runs

    return read_load_runs(published)


def _heal_runlog(published: Path) -> StateFinding | None:
    """A damaged run log is set aside and written again from its readable lines and the published load_runs;
    a missing one is seeded from the published load_runs, so `load_runs` keeps its history."""
    path = runlog_path(published)
    exists = path.exists() or path.is_symlink()
    problem, salvaged = _runlog_problem(path) if exists else ("mangler", [])
    if problem is None:
        return None
    earlier = _published_runs(published) if published.is_file() else []
    if not exists and not earlier:
        return None  # a new warehouse: nothing to tell
    moved = set_aside(path) if exists else None
    runs: dict[str, RunRecord] = {}
    for record in [*earlier, *salvaged]:  # a later line wins, but never an unfinished one over a finished one
        if record.run_id not in runs or record.finished or not runs[record.run_id].finished:
            runs[record.run_id] = record
    for record in sorted(runs.values(), key=lambda r: r.started_at):
        append_run(published, record)
    if runs:
        remedy = (f"Kørselsloggen er skrevet igen med {len(runs)} kendte kørsler (dens læsbare linjer og det "
                  "publicerede lagers load_runs).")
    else:
        remedy = "Kørselshistorikken (load_runs) begynder forfra ved denne kørsel."
    return StateFinding("Kørselsloggen", path, problem, remedy, moved)


PREFECT_REMEDY_DA = ("Prefect opretter en ny; den rummer kun Prefects egen kørselshistorik "
                     "(lagerets står i load_runs).")


def _prefect_db_companions(database: Path) -> tuple[Path, ...]:
    return (database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm"))


def set_prefect_db_aside_after_timeout(home: Path) -> str:
    """After Prefect's temporary server did not start: set `prefect.db` aside so that the next run starts
    with a new one (a migration cut off by an upgrade passes the checks above and fails only at start-up).
    The Danish sentence for the run's cause."""
    database = home / PREFECT_DB_NAME
    if not database.is_file():
        return ""
    moved = set_aside(database, _prefect_db_companions(database))
    return (f"Prefects database {database} er derfor lagt til side som {moved.name} (intet er slettet); næste "
            "kørsel starter med en ny. Den rummer kun Prefects egen kørselshistorik (lagerets står i load_runs).")


def heal_prefect_home(home: Path) -> StateFinding | None:
    """Set a damaged `prefect.db` (with its -wal/-shm) aside before Prefect's temporary server starts."""
    database = home / PREFECT_DB_NAME
    if not (database.exists() or database.is_symlink()) or (problem := prefect_db_problem(database)) is None:
        return None
    finding = StateFinding("Prefects database", database, problem, PREFECT_REMEDY_DA,
                           set_aside(database, _prefect_db_companions(database)))
    note(finding)
    return finding
