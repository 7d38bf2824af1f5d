"""Prefect is used through public surface only, and every fact about it lives in pipelines/prefect_runtime.py."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

from pipelines import prefect_runtime as pr
from pipelines.operate.server import temporary_server_env
from pipelines.settings import REPO_ROOT

PIPELINES = REPO_ROOT / "pipelines"
SETTING_NAME = re.compile(r"^PREFECT_[A-Z_]+$")


def _string_constants(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def test_the_pinned_prefect_is_the_installed_one_and_the_one_in_pyproject() -> None:
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert f"prefect=={pr.PREFECT_VERSION}" in pyproject["project"]["dependencies"]
    assert version("prefect") == pr.PREFECT_VERSION


def test_prefect_settings_are_named_in_prefect_runtime_only() -> None:
    named_elsewhere = {str(path.relative_to(REPO_ROOT)): names for path in PIPELINES.rglob("*.py")
                       if path.name != "prefect_runtime.py"
                       and (names := sorted({s for s in _string_constants(path) if SETTING_NAME.match(s)}))}
    assert named_elsewhere == {}


def test_no_private_prefect_api_is_used() -> None:
    for path in PIPELINES.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "SubprocessASGIServer" not in text and "_run_uvicorn_command" not in text, path
        assert "PREFECT__" not in text, path  # Prefect's double-underscore variables are its own internals
        assert "Timed out while attempting" not in text, path  # no matching of Prefect's error text


def test_the_temporary_server_is_no_client_of_another_api_and_keeps_its_database_in_its_home(tmp_path) -> None:
    env = temporary_server_env(tmp_path, base={pr.API_URL: "http://elsewhere/api", pr.API_KEY: "secret",
                                               "PATH": "/usr/bin"})
    assert pr.API_URL not in env and pr.API_KEY not in env and env["PATH"] == "/usr/bin"
    assert env[pr.HOME] == str(tmp_path)
    assert env[pr.DATABASE_URL] == f"sqlite+aiosqlite:///{tmp_path / 'prefect.db'}"
    assert env["PREFECT_SERVER_UI_ENABLED"] == "false" and env["PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED"] == "false"
    assert "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED" not in env  # task runs are still recorded


def test_a_database_the_analyst_configured_is_kept(tmp_path) -> None:
    env = temporary_server_env(tmp_path, base={pr.DATABASE_URL: "postgresql+asyncpg://db/prefect"})
    assert env[pr.DATABASE_URL] == "postgresql+asyncpg://db/prefect"


def test_prefect_knows_every_service_the_temporary_server_turns_off() -> None:
    from prefect.settings import Settings

    known = set(Settings().to_environment_variables(exclude_unset=False))
    assert set(pr.TEMPORARY_SERVER_SETTINGS) - known == set()


def test_migrations_are_found_without_importing_prefect() -> None:
    code = ("import sys; from pipelines.operate.state_check import prefect_revisions; "
            "assert '9725c1cbee35' in prefect_revisions(); print(any(m.startswith('prefect') for m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    assert done.stdout.strip() == "False"
