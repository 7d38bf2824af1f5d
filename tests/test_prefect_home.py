"""The temporary Prefect server keeps its SQLite database in PREFECT_HOME, a folder that may not exist yet.

On a clean clone (`.ci/run` without `make demo`) `.prefect/tests-gw0` was missing; Prefect creates only the
last level, SQLite failed with "unable to open database file" and every run waited three minutes for
"Timed out while attempting to connect to ephemeral Prefect API server". Reproduce: set PREFECT_HOME to
`<new dir>/a/b` and run a one-task flow without `apply_quiet_offline_env`.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from pipelines import prefect_runtime as pr
from pipelines.operate.prefect_api import is_healthy
from pipelines.operate.server import temporary_server
from pipelines.operate.state_check import prefect_db_problem
from pipelines.settings import apply_quiet_offline_env, current_prefect_home, prefect_home_problem
from tests.conftest import run_kpi


def test_the_worker_prefect_home_of_this_test_run_exists() -> None:
    assert current_prefect_home().is_dir() and prefect_home_problem() is None


def test_a_nested_prefect_home_that_is_not_there_is_created(monkeypatch, tmp_path: Path) -> None:
    home = tmp_path / "not" / "yet" / "there"
    monkeypatch.setenv("PREFECT_HOME", str(home))
    assert prefect_home_problem() == f"Prefects mappe {home} (PREFECT_HOME) findes ikke og kan ikke oprettes."
    apply_quiet_offline_env()
    assert home.is_dir() and prefect_home_problem() is None


def test_an_unusable_prefect_home_stops_the_run_at_once_in_danish(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n", encoding="utf-8")
    env = {"PREFECT_HOME": str(blocker / "prefect")}
    done = run_kpi("nightly", "--sources", str(tmp_path / "sources"), "--warehouse",
                   str(tmp_path / "warehouse" / "kpi.duckdb"), timeout=120,
                   env={**env, "PREFECT_API_URL": ""})
    assert done.returncode == 4, done.stdout + done.stderr
    output = " ".join((done.stdout + done.stderr).split())
    assert f"Kørslen er ikke startet; intet er indlæst. Prefects mappe {blocker / 'prefect'} (PREFECT_HOME)" in output
    assert "Traceback" not in output and not (tmp_path / "warehouse").exists()
    assert os.environ["PREFECT_HOME"] != env["PREFECT_HOME"]  # the test's own environment is untouched


def cut_off_migration(database: Path) -> None:
    """A Prefect database whose upgrade was cut off: the version says the first migration, but the second one's
    table is already there. It passes the start-of-run check (a known revision, a sound SQLite file) and fails
    only when the server migrates it at start-up ("table block_data already exists")."""
    with sqlite3.connect(database) as con:
        con.execute("create table alembic_version (version_num varchar(32) not null primary key)")
        con.execute("insert into alembic_version values ('9725c1cbee35')")
        con.execute("create table block_data (id char(36) primary key)")


def test_a_broken_prefect_database_fails_in_danish_with_the_servers_error_in_the_log(tmp_path: Path) -> None:
    """The temporary server's start-up traceback goes to the run's log, never to the analyst's terminal, and the
    database is set aside so that the next run starts with a new one."""
    home = tmp_path / "prefect"
    home.mkdir()
    cut_off_migration(home / "prefect.db")
    assert prefect_db_problem(home / "prefect.db") is None
    warehouse = tmp_path / "warehouse" / "kpi.duckdb"
    # the server fails only once it has loaded its migrations: long enough for that on a loaded machine
    done = run_kpi("nightly", "--sources", str(tmp_path / "sources"), "--warehouse", str(warehouse), timeout=300,
                   env={"PREFECT_HOME": str(home), "PREFECT_API_URL": "",
                        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "45"})
    output = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == 4, output
    assert "Prefects midlertidige server startede ikke inden for 45 sekunder" in output
    [aside] = home.glob("prefect.db.beskadiget-*")
    assert (f"Prefects database {home / 'prefect.db'} er derfor lagt til side som {aside.name} (intet er "
            "slettet); næste kørsel starter med en ny.") in output
    assert not (home / "prefect.db").exists()
    assert "Traceback" not in output and "uvicorn" not in output
    [log_file] = (warehouse.parent / "logs").glob("kpi-nightly-*.log")
    log = log_file.read_text(encoding="utf-8")
    assert "already exists" in log and "Application startup failed" in log
    assert servers_of(home) == []  # the failed server was stopped


def servers_of(home: Path) -> list[psutil.Process]:
    """The Prefect servers running with `home` as their PREFECT_HOME (a uvicorn serving Prefect's app)."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        try:
            if pr.APP_FACTORY in (process.info["cmdline"] or []) and process.environ().get(pr.HOME) == str(home):
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def gone(process: psutil.Process, seconds: float = 60) -> bool:
    try:
        process.wait(seconds)
    except psutil.TimeoutExpired:
        return False
    return True


@pytest.mark.e2e
def test_the_temporary_server_answers_its_health_check_and_is_gone_after_the_block(tmp_path: Path) -> None:
    log_file = tmp_path / "run.log"
    before = os.environ.get(pr.API_URL)
    with temporary_server(tmp_path / "prefect", log_file) as server:
        assert os.environ[pr.API_URL] == server.url and os.environ[pr.EPHEMERAL_ENABLED] == "false"
        (tmp_path / "prefect").mkdir()
        server.wait_until_serving(180)
        assert is_healthy(server.url)
        [running] = servers_of(tmp_path / "prefect")
    assert gone(running, 0) and not is_healthy(server.url)
    assert os.environ.get(pr.API_URL) == before
    assert (tmp_path / "prefect" / "prefect.db").is_file()  # its database in its own PREFECT_HOME


def start_nightly_and_its_server(tmp_path: Path, *where: str) -> tuple[subprocess.Popen, psutil.Process]:
    """A `kpi nightly` (empty sources, or `where` its options) in its own PREFECT_HOME, once its temporary server
    process is there."""
    home = tmp_path / "prefect"
    home.mkdir()
    kpi = Path(sys.executable).with_name("kpi")
    where = where or ("--sources", str(tmp_path / "sources"), "--warehouse", str(tmp_path / "warehouse" / "kpi.duckdb"))
    run = subprocess.Popen([str(kpi), "nightly", *where, "--no-report"],
                           env={**os.environ, "PREFECT_HOME": str(home), "PREFECT_API_URL": "", "COLUMNS": "200"},
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    while not (servers := servers_of(home)):
        assert run.poll() is None, run.communicate()[0]
        time.sleep(0.1)
    return run, servers[0]


@pytest.mark.e2e
@pytest.mark.parametrize(("signum", "cause"), [(signal.SIGINT, "afbrudt (Ctrl-C)"),
                                                (signal.SIGTERM, "afbrudt (SIGTERM)")])
def test_a_stopped_run_says_so_in_danish_and_stops_its_server(tmp_path: Path, signum: int, cause: str) -> None:
    run, server = start_nightly_and_its_server(tmp_path)
    run.send_signal(signum)
    output = " ".join(run.communicate(timeout=120)[0].split())
    assert run.returncode == 4, output
    assert f"Natkørslen fejlede; det tidligere lager er stadig publiceret og uændret. Årsag: {cause}" in output
    assert "Traceback" not in output
    assert gone(server, 0)  # stopped by the run before it exited


@pytest.mark.e2e
def test_a_stopped_run_of_several_programmes_runs_none_of_the_rest(tmp_path: Path) -> None:
    programmes = tmp_path / "programmes.toml"
    programmes.write_text("".join(f'[[programme]]\nplan_id = "{p}"\nsources = "{p}/sources"\n'
                                  f'warehouse = "{p}/warehouse/kpi.duckdb"\n\n' for p in ("nord", "syd", "vest")),
                          encoding="utf-8")
    run, server = start_nightly_and_its_server(tmp_path, "--programmes", str(programmes))
    run.send_signal(signal.SIGTERM)
    output = " ".join(run.communicate(timeout=120)[0].split())
    assert run.returncode == 4, output
    assert "Program nord" in output and "Årsag: afbrudt (SIGTERM)" in output
    assert "Kørslen blev afbrudt; disse programmer er ikke kørt: syd, vest" in output
    assert "Program syd" not in output and not (tmp_path / "syd" / "warehouse").exists()
    assert gone(server, 0)


@pytest.mark.e2e
def test_the_server_dies_with_a_killed_run(tmp_path: Path) -> None:
    run, server = start_nightly_and_its_server(tmp_path)
    run.kill()
    run.wait()
    assert gone(server)


@pytest.mark.e2e
def test_a_finished_run_leaves_no_server_behind_and_logs_where_its_server_was(tmp_path: Path) -> None:
    run, server = start_nightly_and_its_server(tmp_path)
    output = run.communicate(timeout=600)[0]
    assert run.returncode == 0, output
    assert gone(server, 0)
    [log_file] = (tmp_path / "warehouse" / "logs").glob("kpi-nightly-*.log")
    assert f"Prefect's temporary server (pid {server.pid}) answers on http://127.0.0.1:" in log_file.read_text()
