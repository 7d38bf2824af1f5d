"""Damaged state files are set aside (never deleted) and healed: one case per file and kind of damage.

Unit level, on a copy of the published demo's warehouse folder (no nightly per case): each state file the run
relies on × truncated, zero bytes, random bytes, the wrong file under the right name, missing, and unreadable.
Tests run as root, where `chmod 000` stops no read: "unreadable" is a folder under the file's name (a real
EISDIR that root cannot read either) and, separately, an injected EACCES from the one function every check
reads through (`state_check.read_bytes`). The end-to-end runs that heal and publish are in
tests/test_self_heal_e2e.py.
"""

from __future__ import annotations

import errno
import hashlib
import os
import random
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from pipelines.load.inputs import read_record, record_path
from pipelines.operate import state_check
from pipelines.operate.healing import (
    HealedState,
    heal_prefect_home,
    heal_warehouse_state,
    preload_dbt_on_a_sound_target,
)
from pipelines.operate.lock import RunLock, read_holder
from pipelines.operate.state_check import (
    SET_ASIDE_MARK,
    StateFinding,
    prefect_revisions,
    set_aside_files,
    take_noted,
)
from pipelines.runtime.run_records import read_runs, runlog_path
from pipelines.settings import DEFAULT_PREFECT_HOME, RunConfig, current_prefect_home
from pipelines.transform.dbt import dbt_child_preloaded, discard_preloaded_dbt
from tests.conftest import PublishedDemo

DAMAGES = ("truncated", "zero", "random", "wrong", "missing", "folder", "eacces")


@pytest.fixture(scope="module")
def pristine(published_demo: PublishedDemo, tmp_path_factory) -> PublishedDemo:
    """One copy of the demo for the module; each case copies only its warehouse folder from it."""
    return published_demo.copy_to(tmp_path_factory.mktemp("heal") / "pristine")


def link_or_copy(source: str, target: str) -> None:
    """DuckDB files are hard-linked (cheap; only read or renamed here, and `damage` unlinks before writing)."""
    if source.endswith(".duckdb"):
        os.link(source, target)
    else:
        shutil.copy2(source, target)


@pytest.fixture
def config(pristine: PublishedDemo, tmp_path: Path) -> RunConfig:
    folder = tmp_path / "warehouse"
    shutil.copytree(pristine.warehouse.parent, folder, symlinks=True, copy_function=link_or_copy)
    take_noted()  # nothing left from another test
    return RunConfig(pristine.sources, folder / "kpi.duckdb", date(2026, 11, 23))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def damage(path: Path, kind: str, wrong: Path | None, monkeypatch) -> None:
    """Apply one kind of damage to a file; `wrong` is the other file put under its name. A new file is always
    written (never the linked one in place)."""
    if kind == "truncated":
        data = path.read_bytes()
        path.unlink()
        path.write_bytes(data[: len(data) // 2])
    elif kind == "zero":
        path.unlink()
        path.write_bytes(b"")
    elif kind == "random":
        size = path.stat().st_size
        path.unlink()
        path.write_bytes(random.Random(26).randbytes(max(size, 64 * 1024)))
    elif kind == "wrong":
        assert wrong is not None
        path.unlink()
        shutil.copyfile(wrong, path)
    elif kind == "missing":
        path.unlink()
    elif kind == "folder":
        path.unlink()
        path.mkdir()
        (path / "noget").write_text("en mappe under filens navn", encoding="utf-8")
    elif kind == "eacces":
        real = state_check.read_bytes

        def refused(target: Path, limit: int = -1) -> bytes:
            if Path(target) == path:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(target))
            return real(target, limit)

        monkeypatch.setattr(state_check, "read_bytes", refused)
    else:
        raise AssertionError(kind)


def content_of(path: Path) -> str:
    """A file's hash, a folder's listing: what must be found again where it was set aside."""
    if path.is_dir():
        return "dir:" + ",".join(sorted(p.name for p in path.iterdir()))
    return sha256(path)


def only_finding(state: HealedState, path: Path) -> StateFinding:
    found = [f for f in state.findings if f.path == path]
    assert len(found) == 1, state.lines_da()
    return found[0]


def assert_set_aside(finding: StateFinding, damaged: str) -> None:
    """The damaged file is kept, byte for byte, under a dated name beside where it was."""
    assert finding.moved_to is not None and finding.moved_to.parent == finding.path.parent
    assert finding.moved_to.name.startswith(finding.path.name + SET_ASIDE_MARK)
    assert content_of(finding.moved_to) == damaged
    assert f"lagt til side som {finding.moved_to.name} (intet er slettet)" in finding.line_da()


# -- the two DuckDB files -----------------------------------------------------------------------------------

DUCKDB_PROBLEMS = {
    "truncated": "er afkortet (",
    "zero": "er tom (0 byte)",
    "random": "er ikke en DuckDB-fil",
    "folder": "er en mappe, ikke en fil",
    "eacces": "kan ikke læses (adgang nægtet)",
}


@pytest.mark.parametrize("kind", DAMAGES)
def test_a_damaged_internal_file_is_set_aside_and_rebuilt(config: RunConfig, kind: str, monkeypatch) -> None:
    internal, published_before = config.internal_warehouse, sha256(config.warehouse)
    damage(internal, kind, config.warehouse, monkeypatch)
    damaged = content_of(internal) if internal.exists() else None
    state = heal_warehouse_state(config)
    finding = only_finding(state, internal)
    assert state.rebuild_internal
    assert "genopbygges fra alle leverancer i indbakken" in finding.line_da()
    if kind == "missing":
        assert finding.problem_da == "mangler" and finding.moved_to is None
    else:
        expected = DUCKDB_PROBLEMS.get(kind, "er ikke lagerets interne fil (tabellen raw.load_ledger mangler)")
        assert finding.problem_da.startswith(expected), finding.problem_da
        assert_set_aside(finding, damaged)
        assert not internal.exists()
    assert sha256(config.warehouse) == published_before  # the published file is left as it was
    assert [f.path for f in state.findings] == [internal]


@pytest.mark.parametrize("kind", DAMAGES)
def test_a_damaged_published_file_is_set_aside_and_published_again(config: RunConfig, kind: str,
                                                                    monkeypatch) -> None:
    published, internal_before = config.warehouse, sha256(config.internal_warehouse)
    damage(published, kind, config.internal_warehouse, monkeypatch)
    damaged = content_of(published) if published.exists() else None
    state = heal_warehouse_state(config)
    finding = only_finding(state, published)
    assert not state.rebuild_internal and "genskabes fra det interne lager" in finding.line_da()
    if kind == "missing":
        assert finding.problem_da == "mangler" and finding.moved_to is None
    else:
        expected = DUCKDB_PROBLEMS.get(kind, "er ikke et publiceret lager (den rummer de interne skemaer")
        assert finding.problem_da.startswith(expected), finding.problem_da
        assert_set_aside(finding, damaged)
    assert not published.exists()
    assert sha256(config.internal_warehouse) == internal_before


def test_both_warehouse_files_damaged_are_both_set_aside_and_the_internal_one_rebuilt(config: RunConfig) -> None:
    damage(config.warehouse, "random", None, None)
    damage(config.internal_warehouse, "truncated", None, None)
    state = heal_warehouse_state(config)
    assert [f.path for f in state.findings][:2] == [config.warehouse, config.internal_warehouse]
    assert state.rebuild_internal and all(f.moved_to and f.moved_to.exists() for f in state.findings[:2])
    assert not config.warehouse.exists() and not config.internal_warehouse.exists()


def test_a_missing_internal_file_beside_a_damaged_published_one_is_a_rebuild_whose_history_restarts(
        config: RunConfig) -> None:
    config.internal_warehouse.unlink()
    damage(config.warehouse, "zero", None, None)
    state = heal_warehouse_state(config)
    assert [(f.path, f.problem_da) for f in state.findings[:2]] == [(config.warehouse, "er tom (0 byte)"),
                                                                   (config.internal_warehouse, "mangler")]
    assert state.rebuild_internal


def test_a_healthy_warehouse_is_left_alone(config: RunConfig) -> None:
    """A false alarm would set good files aside every night: nothing is found, nothing moves."""
    before = sorted(p.name for p in config.warehouse.parent.iterdir())
    state = heal_warehouse_state(config)
    assert state.findings == [] and not state.rebuild_internal
    assert sorted(p.name for p in config.warehouse.parent.iterdir()) == before


def test_a_published_file_another_process_holds_for_writing_is_in_use_not_damaged(config: RunConfig) -> None:
    """An evaluator's tool that opened the file read-write holds DuckDB's lock: that is no damage."""
    import subprocess
    import sys

    shutil.copyfile(config.warehouse, config.warehouse.with_suffix(".copy"))  # a writer may touch the file:
    os.replace(config.warehouse.with_suffix(".copy"), config.warehouse)  # never the one linked to the others
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
                               "print('open', flush=True); time.sleep(120)", str(config.warehouse)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        assert heal_warehouse_state(config).findings == []
        assert config.warehouse.is_file()
    finally:
        holder.kill()
        holder.wait()


def test_a_new_warehouse_has_nothing_to_heal(tmp_path: Path, pristine: PublishedDemo) -> None:
    state = heal_warehouse_state(RunConfig(pristine.sources, tmp_path / "w" / "kpi.duckdb", date(2026, 11, 23)))
    assert state.findings == [] and not state.rebuild_internal


def test_kpi_rebuild_sets_a_healthy_internal_file_aside(config: RunConfig) -> None:
    before = sha256(config.internal_warehouse)
    state = heal_warehouse_state(config, rebuild_requested=True)
    finding = only_finding(state, config.internal_warehouse)
    assert state.rebuild_internal and "genopbygges på forlangende (kpi rebuild)" in finding.line_da()
    assert_set_aside(finding, before)


# -- the inputs record ----------------------------------------------------------------------------------------

RECORD_PROBLEMS = {
    "truncated": "er ikke gyldig JSON (afkortet eller overskrevet)",
    "zero": "er tom",
    "random": "er ikke gyldig JSON (afkortet eller overskrevet)",
    "wrong": "er ikke gyldig JSON (afkortet eller overskrevet)",  # the run log (JSON lines) under its name
    "folder": "er en mappe, ikke en fil",
    "eacces": "kan ikke læses (adgang nægtet)",
}


@pytest.mark.parametrize("kind", DAMAGES)
def test_a_damaged_inputs_record_is_set_aside_and_the_run_builds_in_full(config: RunConfig, kind: str,
                                                                        monkeypatch) -> None:
    record = record_path(config.warehouse)
    damage(record, kind, runlog_path(config.warehouse), monkeypatch)
    damaged = content_of(record) if record.exists() else None
    state = heal_warehouse_state(config)
    if kind == "missing":  # as after a killed run: a full build, nothing to tell
        assert state.findings == []
        return
    finding = only_finding(state, record)
    assert finding.problem_da == RECORD_PROBLEMS[kind]
    assert "bygger derfor alt" in finding.remedy_da
    assert_set_aside(finding, damaged)
    assert read_record(config.warehouse) is None and not record.exists()


def test_an_inputs_record_of_another_shape_is_set_aside(config: RunConfig) -> None:
    record = record_path(config.warehouse)
    record.write_text('{"pid": 1, "started_at": "2026-11-23T02:00:00", "host": "x"}', encoding="utf-8")
    finding = only_finding(heal_warehouse_state(config), record)
    assert finding.problem_da == "er ikke en gyldig post over input (forkert fil eller en anden version)"


# -- the run log ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", DAMAGES)
def test_a_damaged_run_log_is_set_aside_and_written_again_from_what_is_known(config: RunConfig, kind: str,
                                                                            monkeypatch) -> None:
    runlog = runlog_path(config.warehouse)
    known = [(r.run_id, r.outcome, r.finished_at) for r in read_runs(config.warehouse)]
    assert len(known) == 1 and known[0][1] == "published"  # the demo's first run
    damage(runlog, kind, record_path(config.warehouse), monkeypatch)
    damaged = content_of(runlog) if runlog.exists() else None
    state = heal_warehouse_state(config)
    finding = only_finding(state, runlog)
    expected = {"zero": "er tom (0 byte)", "missing": "mangler", "folder": "er en mappe, ikke en fil",
                "eacces": "kan ikke læses (adgang nægtet)"}.get(kind, "linje(r), der ikke kan læses")
    assert expected in finding.problem_da, finding.problem_da
    if kind == "missing":
        assert finding.moved_to is None
    else:
        assert_set_aside(finding, damaged)
    monkeypatch.undo()
    # written again: the published load_runs gives back every run, so load_runs keeps its history
    assert [(r.run_id, r.outcome, r.finished_at) for r in read_runs(config.warehouse)] == known
    assert "Kørselsloggen er skrevet igen med 1 kendte kørsler" in finding.remedy_da


def test_a_run_log_cut_mid_line_keeps_its_readable_lines(config: RunConfig) -> None:
    from pipelines.runtime.run_records import RunRecord, append_run

    runlog = runlog_path(config.warehouse)
    later = RunRecord(read_runs(config.warehouse)[0].started_at.replace(year=2027), outcome="published",
                      message="kun i loggen")
    append_run(config.warehouse, later)
    with runlog.open("ab") as handle:
        handle.write(b'{"started_at": "2027-01-0')  # a line cut short by a full disk
    finding = only_finding(heal_warehouse_state(config), runlog)
    assert finding.problem_da == "har 1 linje(r), der ikke kan læses (afkortet eller overskrevet)"
    runs = read_runs(config.warehouse)
    assert len(runs) == 2 and runs[-1].run_id == later.run_id and runs[-1].message == "kun i loggen"


def test_without_run_log_or_published_file_history_starts_again(config: RunConfig) -> None:
    config.warehouse.unlink()
    runlog = runlog_path(config.warehouse)
    runlog.write_bytes(b"\x00\xff garbage\n")
    state = heal_warehouse_state(config)
    finding = only_finding(state, runlog)
    assert finding.remedy_da == "Kørselshistorikken (load_runs) begynder forfra ved denne kørsel."
    assert read_runs(config.warehouse) == []


# -- dbt's target folder ---------------------------------------------------------------------------------------

DBT_PROBLEMS = {
    "truncated": "rummer partial_parse.msgpack, som er afkortet eller overskrevet",
    "zero": "rummer partial_parse.msgpack, som er afkortet eller overskrevet",
    "random": "rummer partial_parse.msgpack, som er afkortet eller overskrevet",
    "wrong": "er ikke en mappe",
    "folder": "rummer manifest.json, som er en mappe, ikke en fil",
    "eacces": "rummer manifest.json, som kan ikke læses (adgang nægtet)",
}


@pytest.mark.parametrize("kind", DAMAGES)
def test_a_damaged_dbt_target_folder_is_set_aside(config: RunConfig, kind: str, monkeypatch) -> None:
    target = config.warehouse.parent / "dbt_target"
    if kind in ("truncated", "zero", "random"):
        damage(target / "partial_parse.msgpack", kind, None, monkeypatch)
    elif kind == "wrong":  # a file where the folder belongs
        shutil.rmtree(target)
        shutil.copyfile(runlog_path(config.warehouse), target)
    elif kind == "missing":
        shutil.rmtree(target)
    else:  # the nightly writes no manifest.json (--no-write-json), a hand-run `dbt build` does
        (target / "manifest.json").write_text("{}", encoding="utf-8")
        damage(target / "manifest.json", kind, None, monkeypatch)
    damaged = content_of(target) if target.exists() else None
    state = heal_warehouse_state(config)
    if kind == "missing":  # dbt creates it
        assert state.findings == []
        return
    finding = only_finding(state, target)
    assert finding.problem_da == DBT_PROBLEMS[kind]
    assert_set_aside(finding, damaged)
    assert not target.exists()


def test_a_damaged_dbt_target_gets_no_preloaded_dbt_child_and_is_still_found(config: RunConfig) -> None:
    """The pre-warmed dbt child parses into dbt_target: started on a damaged folder, it rewrote the folder before
    the run's check could name the damage (CI saw the e2e miss it), or wrote while the check read it."""
    target = config.warehouse.parent / "dbt_target"
    (target / "partial_parse.msgpack").write_bytes(b"")
    try:
        preload_dbt_on_a_sound_target(config.warehouse)
        assert not dbt_child_preloaded()
        finding = only_finding(heal_warehouse_state(config), target)
        assert finding.problem_da == DBT_PROBLEMS["zero"]
    finally:
        discard_preloaded_dbt()


def test_a_sound_dbt_target_gets_its_preloaded_child_and_the_check_leaves_it_to_the_child(config: RunConfig) -> None:
    try:
        preload_dbt_on_a_sound_target(config.warehouse)
        assert dbt_child_preloaded()
        assert heal_warehouse_state(config).findings == []
    finally:
        discard_preloaded_dbt()
    assert not dbt_child_preloaded()


# -- the lock file ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", DAMAGES)
def test_a_damaged_lock_file_never_stops_a_run(config: RunConfig, kind: str, monkeypatch) -> None:
    """The lock is the flock, not the file's content: garbage inside is rewritten, an unopenable path set aside."""
    from pipelines.operate.lock import lock_path

    lock_file = lock_path(config.warehouse)
    if kind == "eacces":  # the lock file is opened, not read: refuse the open once
        real_open = os.open
        calls = []

        def refused(path, flags, mode=0o777):
            if Path(path) == lock_file and not calls:
                calls.append(path)
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
            return real_open(path, flags, mode)

        monkeypatch.setattr(os, "open", refused)
    else:
        damage(lock_file, kind, config.internal_warehouse, monkeypatch)
    damaged = content_of(lock_file) if lock_file.is_dir() else None
    with RunLock(config.warehouse):
        holder = read_holder(lock_file)
        assert holder is not None and holder.pid == os.getpid()
    noted = take_noted()
    if kind in ("folder", "eacces"):
        [finding] = noted
        assert finding.path == lock_file and finding.remedy_da == "En ny låsefil er oprettet."
        assert finding.problem_da == ("er en mappe, ikke en fil" if kind == "folder" else
                                      "kan ikke læses (adgang nægtet)")
        if damaged:
            assert_set_aside(finding, damaged)
    else:
        assert noted == []


# -- Prefect's database ----------------------------------------------------------------------------------------


@pytest.fixture
def prefect_home(tmp_path: Path, published_demo: PublishedDemo) -> Path:
    """A copy of this test run's real Prefect database (created by the demo's nightly, in whichever xdist
    worker's Prefect home built it: the demo is built once per session)."""
    home = tmp_path / "prefect"
    home.mkdir()
    source = migrated_prefect_database()
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as live, \
            sqlite3.connect(home / "prefect.db") as copy:
        live.backup(copy)
    return home


def migrated_prefect_database() -> Path:
    """This worker's Prefect database, else one of the other test workers' (both live under one parent)."""
    current = current_prefect_home()
    for candidate in [current / "prefect.db", *sorted(current.parent.glob("*/prefect.db")),
                      *sorted(DEFAULT_PREFECT_HOME.glob("**/prefect.db"))]:
        if candidate.is_file():
            with sqlite3.connect(f"file:{candidate}?mode=ro", uri=True) as con:
                if con.execute("select 1 from sqlite_master where name = 'alembic_version'").fetchone():
                    return candidate
    raise AssertionError(f"no migrated Prefect database under {current.parent} after the demo's nightly")


PREFECT_PROBLEMS = {
    "truncated": "kan ikke læses af SQLite: database disk image is malformed",
    "random": "er ikke en SQLite-database",
    "wrong": "er ikke en SQLite-database",
    "folder": "er en mappe, ikke en fil",
    "eacces": "kan ikke læses (adgang nægtet)",
}


@pytest.mark.parametrize("kind", DAMAGES)
def test_a_damaged_prefect_database_is_set_aside(prefect_home: Path, config: RunConfig, kind: str,
                                                 monkeypatch) -> None:
    database = prefect_home / "prefect.db"
    assert heal_prefect_home(prefect_home) is None  # the copy itself is healthy
    damage(database, kind, config.internal_warehouse, monkeypatch)
    damaged = content_of(database) if database.exists() else None
    finding = heal_prefect_home(prefect_home)
    if kind in ("zero", "missing"):  # SQLite and Prefect make a new database of both
        assert finding is None and take_noted() == []
        return
    assert finding is not None and finding.problem_da.startswith(PREFECT_PROBLEMS[kind]), finding
    assert "rummer kun Prefects egen kørselshistorik" in finding.line_da()
    assert_set_aside(finding, damaged)
    assert take_noted() == [finding]  # for the run's summary


def test_a_prefect_database_from_an_unknown_or_cut_off_migration_is_set_aside(prefect_home: Path) -> None:
    database = prefect_home / "prefect.db"
    with sqlite3.connect(database) as con:
        con.execute("update alembic_version set version_num = 'ffffffffffff'")
    finding = heal_prefect_home(prefect_home)
    assert finding is not None and "migreringsversion (ffffffffffff), som denne Prefect ikke kender" in \
        finding.problem_da
    other = prefect_home / "prefect.db"
    with sqlite3.connect(other) as con:
        con.execute("create table flow_run (id text)")  # tables, but no version: a migration cut off
    finding = heal_prefect_home(prefect_home)
    assert finding is not None and finding.problem_da == ("har ingen gyldig migreringsversion (en opgradering "
                                                          "blev afbrudt)")
    take_noted()


def test_the_known_prefect_revisions_include_the_first_migration() -> None:
    assert "9725c1cbee35" in prefect_revisions() and len(prefect_revisions()) > 100


# -- what the operator is told -----------------------------------------------------------------------------------


def test_set_aside_files_are_found_for_kpi_status(config: RunConfig) -> None:
    damage(config.internal_warehouse, "random", None, None)
    heal_warehouse_state(config)
    [aside] = set_aside_files(config.warehouse.parent)
    assert aside.name.startswith("kpi.internal.duckdb" + SET_ASIDE_MARK)


def test_set_aside_never_overwrites_an_earlier_one(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "a.json"
    first.write_text("1", encoding="utf-8")
    one = state_check.set_aside(first)
    second.write_text("2", encoding="utf-8")
    two = state_check.set_aside(second)
    assert one != two and one.read_text(encoding="utf-8") == "1" and two.read_text(encoding="utf-8") == "2"

