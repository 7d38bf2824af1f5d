"""A full disk named in Danish (checked before copying; an ENOSPC during the run), what the operator is told
about healed state (summary file, e-mail, `kpi status`), `kpi rebuild --dry-run`, and the history restore.

The ENOSPC here is injected (an OSError, and DuckDB's and dbt's own texts); a real full disk (tmpfs) is in
tests/test_self_heal_e2e.py.
"""

from __future__ import annotations

import errno
import hashlib
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.flows.nightly import NightlyResult
from pipelines.load.rebuild import HISTORY_RESTARTS_DA, restore_history
from pipelines.operate.alerts import RunSummary
from pipelines.operate.state_check import StateFinding
from pipelines.runtime import disk
from pipelines.settings import RunConfig
from tests.conftest import PublishedDemo

MIB = 1024 * 1024
DUCKDB_ENOSPC = ('IO Error: Could not write file "/w/kpi.internal.duckdb.build": No space left on device')


def config_in(folder: Path) -> RunConfig:
    return RunConfig(folder / "sources", folder / "kpi.duckdb", date(2026, 11, 23))


def write_sizes(folder: Path, internal_mib: int, published_mib: int) -> RunConfig:
    config = config_in(folder)
    config.internal_warehouse.write_bytes(b"\0" * internal_mib * MIB)
    config.warehouse.write_bytes(b"\0" * published_mib * MIB)
    return config


def test_too_little_free_space_is_named_with_what_the_run_needs(tmp_path: Path, monkeypatch) -> None:
    config = write_sizes(tmp_path, 20, 3)
    monkeypatch.setattr(disk, "free_space", lambda folder: 5 * MIB // 2)
    problem = disk.space_problem(tmp_path, [config.internal_warehouse, config.warehouse])
    assert problem == (f"Disken er fuld: kørslen skal bruge ca. 23,0 MB fri plads i {tmp_path} (til kopien af det "
                       "interne lager og det nye publicerede), men der er kun 2,5 MB fri. Frigør plads (fx filer "
                       "lagt til side som *.beskadiget-*, når de er undersøgt), så publicerer næste kørsel af sig "
                       "selv.")


def test_a_run_with_nothing_new_needs_room_for_the_published_file_only(tmp_path: Path, monkeypatch) -> None:
    config = write_sizes(tmp_path, 20, 3)
    monkeypatch.setattr(disk, "free_space", lambda folder: 4 * MIB)
    assert disk.run_space_problem(config, nothing_new=True) is None
    assert "skal bruge ca. 23,0 MB" in (disk.run_space_problem(config, nothing_new=False) or "")


@pytest.mark.parametrize("free_mib", [23, 24, 1000])
def test_enough_free_space_is_no_problem(tmp_path: Path, monkeypatch, free_mib: int) -> None:
    config = write_sizes(tmp_path, 20, 3)
    monkeypatch.setattr(disk, "free_space", lambda folder: free_mib * MIB)
    assert disk.space_problem(tmp_path, [config.internal_warehouse, config.warehouse]) is None


@pytest.mark.parametrize("error", [OSError(errno.ENOSPC, "No space left on device"), duckdb.IOException(DUCKDB_ENOSPC),
                                   "Runtime Error in model kpi_status: " + DUCKDB_ENOSPC,
                                   "sqlite3.OperationalError: database or disk is full"])
def test_a_disk_that_fills_during_the_run_is_named_as_such(tmp_path: Path, error) -> None:
    assert disk.is_disk_full(error)
    if isinstance(error, Exception):
        config = write_sizes(tmp_path, 2, 1)
        assert disk.failure_da(config, error).startswith(
            f"Disken er fuld: kørslen skal bruge ca. 3,0 MB fri plads i {tmp_path}")


@pytest.mark.parametrize("error", [OSError(errno.EACCES, "Permission denied"), duckdb.IOException("Could not read"),
                                   "Runtime Error in model kpi_status: division by zero"])
def test_other_errors_are_not_called_a_full_disk(tmp_path: Path, error) -> None:
    assert not disk.is_disk_full(error)
    if isinstance(error, Exception):
        assert not disk.failure_da(config_in(tmp_path), error).startswith("Disken er fuld")


NOTE = StateFinding("Det interne lager", Path("/w/kpi.internal.duckdb"), "er afkortet (10 byte, men dens hoved "
                    "lover mindst 20 byte)", "Det genopbygges fra alle leverancer i indbakken.",
                    Path("/w/kpi.internal.duckdb.beskadiget-20261206-020000")).line_da()


def test_the_summary_file_and_the_mail_tell_what_was_set_aside(tmp_path: Path) -> None:
    result = NightlyResult(published=True, outcome="published", state_notes=[NOTE])
    summary = RunSummary.from_result(tmp_path / "kpi.duckdb", result)
    assert summary.needs_attention  # an e-mail goes out although the run published
    assert summary.subject_da() == ("kpi-warehouse: beskadigede eller manglende filer er erstattet; natkørslen er "
                                    "publiceret")
    text = summary.markdown_da()
    assert ("## Beskadigede eller manglende filer\n\n- Det interne lager (/w/kpi.internal.duckdb) er afkortet (10 "
            "byte, men dens hoved lover mindst 20 byte). Den er lagt til side som "
            "kpi.internal.duckdb.beskadiget-20261206-020000 (intet er slettet). Det genopbygges fra alle leverancer "
            "i indbakken.\n") in text
    clean = RunSummary.from_result(tmp_path / "kpi.duckdb", NightlyResult(published=True, outcome="published"))
    assert not clean.needs_attention and "Beskadigede" not in clean.markdown_da()


def test_kpi_status_lists_what_was_set_aside(tmp_path: Path, monkeypatch) -> None:
    from tests.ops_helpers import free_port, record_run, write_warehouse

    monkeypatch.setenv("KPI_PREFECT_PORT", str(free_port()))
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))
    warehouse = write_warehouse(tmp_path / "kpi.duckdb", [])
    record_run(warehouse, "published", hours_ago=1)
    aside = tmp_path / "kpi.internal.duckdb.beskadiget-20261206-020000"
    aside.write_bytes(b"x")
    result = CliRunner().invoke(app, ["status", "--warehouse", str(warehouse)], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert f"Lagt til side som beskadiget (1): {aside}. Lageret har genopbygget dem" in " ".join(result.output.split())


def tree_hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_kpi_rebuild_dry_run_says_what_it_would_do_and_changes_nothing(published_demo: PublishedDemo,
                                                                       tmp_path: Path) -> None:
    folder = tmp_path / "warehouse"
    shutil.copytree(published_demo.warehouse.parent, folder)
    before = tree_hashes(folder)
    result = CliRunner().invoke(app, ["rebuild", "--dry-run", "--sources", str(published_demo.sources),
                                      "--warehouse", str(folder / "kpi.duckdb")], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    inbox = len([p for p in (published_demo.sources / "inbox").rglob("*") if p.is_file()])
    assert f"Det publicerede lager ({folder / 'kpi.duckdb'}): i orden." in text
    assert f"Det interne lager ({folder / 'kpi.internal.duckdb'}): i orden." in text
    assert (f"bygget igen fra {inbox} leverancer i {published_demo.sources / 'inbox'} og referencefilerne" in text)
    assert "Historik: første indlæsningstider og kpi_status_history hentes fra det publicerede lager." in text
    assert text.endswith("Intet er ændret (--dry-run).")
    assert tree_hashes(folder) == before


def test_kpi_rebuild_dry_run_names_a_damaged_file(published_demo: PublishedDemo, tmp_path: Path) -> None:
    folder = tmp_path / "warehouse"
    shutil.copytree(published_demo.warehouse.parent, folder)
    (folder / "kpi.duckdb").write_bytes(b"garbage" * 1000)
    result = CliRunner().invoke(app, ["rebuild", "--dry-run", "--sources", str(published_demo.sources),
                                      "--warehouse", str(folder / "kpi.duckdb")], env={"COLUMNS": "300"})
    text = " ".join(result.output.split())
    assert (f"Det publicerede lager ({folder / 'kpi.duckdb'}): er ikke en DuckDB-fil; den lægges til side og "
            "genskabes.") in text
    assert "Historik: der er intet læsbart publiceret lager: historikken begynder forfra ved genopbygningen." in text


def test_without_a_published_file_history_restarts_at_the_rebuild(tmp_path: Path) -> None:
    build = tmp_path / "kpi.internal.duckdb.build"
    duckdb.connect(str(build)).close()
    assert restore_history(build, tmp_path / "kpi.duckdb") == HISTORY_RESTARTS_DA
