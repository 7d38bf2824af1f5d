"""`kpi schedule` refuses a bad schedule in Danish; `kpi server` runs with the UI on and analytics off."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.flows.deployment import ScheduleError, SchedulePlan, prefect_schedule
from pipelines.operate.prefect_api import describe_schedule
from pipelines.operate.server import server_command, server_env
from tests.ops_helpers import free_port


@pytest.mark.parametrize(("options", "expected"), [
    (["--cron", "61 2 * * *"], "Ugyldigt cron-udtryk '61 2 * * *'"),
    (["--cron", "hver nat"], "Ugyldigt cron-udtryk 'hver nat'"),
    (["--timezone", "Europe/Slagelse"], "Ukendt tidszone 'Europe/Slagelse'"),
])
def test_bad_schedule_is_refused_before_any_server_is_contacted(options, expected):
    result = CliRunner().invoke(app, ["schedule", *options, "--port", "1", "--wait-for-server", "0"])
    assert result.exit_code == 2
    assert expected in result.output


def test_no_server_is_a_danish_error():
    result = CliRunner().invoke(app, ["schedule", "--port", str(free_port()), "--wait-for-server", "0"],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 4
    assert "svarer ikke" in result.output and "kpi server" in result.output


def test_cron_schedule_keeps_its_timezone_and_the_test_schedule_is_a_few_seconds_ahead():
    cron = prefect_schedule(SchedulePlan(Path("s"), Path("w"), "*/2 * * * *", "Europe/Copenhagen"))
    assert (cron.cron, cron.timezone) == ("*/2 * * * *", "Europe/Copenhagen")
    soon = prefect_schedule(SchedulePlan(Path("s"), Path("w"), first_run_in_seconds=10))
    ahead = (soon.anchor_date - datetime.now(UTC)).total_seconds()
    assert 5 < ahead <= 10
    assert describe_schedule({"cron": "0 2 * * *", "timezone": "Europe/Copenhagen"}) == \
        "cron 0 2 * * * (Europe/Copenhagen)"
    with pytest.raises(ScheduleError):
        prefect_schedule(SchedulePlan(Path("s"), Path("w"), "0 2 * *"))


def test_plan_parameters_are_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plan = SchedulePlan(Path("sources"), Path("wh/kpi.duckdb"))
    assert plan.parameters == {"sources_dir": str(tmp_path / "sources"),
                               "warehouse": str(tmp_path / "wh" / "kpi.duckdb"), "as_of": None}


def test_server_env_has_ui_on_analytics_off_and_its_data_outside_the_repo(monkeypatch, tmp_path):
    from pipelines.settings import REPO_ROOT

    monkeypatch.setenv("KPI_DATA_DIR", str(tmp_path / "data"))
    env = server_env(4321, base={"PREFECT_API_URL": "http://elsewhere/api", "PREFECT_UI_ENABLED": "false",
                                 "PATH": "/usr/bin"})
    assert env["PREFECT_UI_ENABLED"] == "true"
    assert env["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    assert env["PREFECT_HOME"] == str(tmp_path / "data" / "prefect")
    assert env["PREFECT_API_DATABASE_CONNECTION_URL"].endswith(str(tmp_path / "data" / "prefect" / "prefect.db"))
    assert env["PREFECT_UI_API_URL"] == "http://127.0.0.1:4321/api"
    assert "PREFECT_API_URL" not in env and env["PATH"] == "/usr/bin"
    assert server_command(4321)[1:] == ["server", "start", "--host", "127.0.0.1", "--port", "4321"]
    monkeypatch.delenv("KPI_DATA_DIR")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    home = Path(server_env(4200, base={})["PREFECT_HOME"])
    assert home == tmp_path / "home" / ".local" / "share" / "kpi-warehouse" / "prefect"
    assert REPO_ROOT not in home.parents


def test_server_env_takes_a_database_given_to_it_and_keeps_sqlite_otherwise(monkeypatch, tmp_path):
    monkeypatch.setenv("KPI_DATA_DIR", str(tmp_path / "data"))
    url = "postgresql+asyncpg://kpi:secret@db.example:5432/prefect"
    env = server_env(4321, base={"PREFECT_API_DATABASE_CONNECTION_URL": "sqlite+aiosqlite:////elsewhere.db"},
                     database=url)
    assert env["PREFECT_API_DATABASE_CONNECTION_URL"] == url
    assert env["PREFECT_HOME"] == str(tmp_path / "data" / "prefect")  # its profiles and memo store stay there
    # Prefect's own variable, set by chance in the caller's environment, does not move `kpi server`'s data
    assert server_env(4321, base={"PREFECT_API_DATABASE_CONNECTION_URL": url})[
        "PREFECT_API_DATABASE_CONNECTION_URL"].endswith(str(tmp_path / "data" / "prefect" / "prefect.db"))


@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql+asyncpg://kpi:s3cret@db:5432/prefect", "postgresql+asyncpg://kpi:***@db:5432/prefect"),
    ("postgresql+asyncpg://kpi:p@ss@db/prefect", "postgresql+asyncpg://kpi:***@db/prefect"),
    ("postgresql+asyncpg://kpi@db/prefect", "postgresql+asyncpg://kpi@db/prefect"),
    ("sqlite+aiosqlite:////var/lib/kpi/prefect.db", "sqlite+aiosqlite:////var/lib/kpi/prefect.db"),
])
def test_a_database_url_is_shown_without_its_password(url: str, shown: str) -> None:
    from pipelines.operate.server import without_password

    assert without_password(url) == shown


def test_kpi_server_help_names_its_database_option() -> None:
    result = CliRunner().invoke(app, ["server", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "--database-url" in result.output and "KPI_PREFECT_DATABASE_URL" in result.output
