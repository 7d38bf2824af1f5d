"""The temporary Prefect server keeps its SQLite database in PREFECT_HOME, a folder that may not exist yet.

On a clean clone (`.ci/run` without `make demo`) `.prefect/tests-gw0` was missing; Prefect creates only the
last level, SQLite failed with "unable to open database file" and every run waited three minutes for
"Timed out while attempting to connect to ephemeral Prefect API server". Reproduce: set PREFECT_HOME to
`<new dir>/a/b` and run a one-task flow without `apply_quiet_offline_env`.
"""

from __future__ import annotations

import os
from pathlib import Path

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


def test_a_broken_prefect_database_fails_in_danish_with_the_servers_error_in_the_log(tmp_path: Path) -> None:
    """The temporary server's start-up traceback goes to the run's log, never to the analyst's terminal."""
    home = tmp_path / "prefect"
    home.mkdir()
    (home / "prefect.db").write_bytes(b"this is not an SQLite database\n" * 64)
    warehouse = tmp_path / "warehouse" / "kpi.duckdb"
    done = run_kpi("nightly", "--sources", str(tmp_path / "sources"), "--warehouse", str(warehouse), timeout=300,
                   env={"PREFECT_HOME": str(home), "PREFECT_API_URL": "",
                        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "8"})
    output = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == 4, output
    assert "Prefects midlertidige server startede ikke inden for 8 sekunder" in output
    assert f"kan {home / 'prefect.db'} flyttes væk" in output
    assert "Traceback" not in output and "uvicorn" not in output
    [log_file] = (warehouse.parent / "logs").glob("kpi-nightly-*.log")
    log = log_file.read_text(encoding="utf-8")
    assert "file is not a database" in log and "Application startup failed" in log
