"""Everything this project relies on in Prefect, in one place: settings, the server it runs, its database.

Prefect is pinned (`prefect==3.8.8` in pyproject.toml; below 3.9, docs/stack_facts.md fact 1), and these
are the facts about it the code depends on; other modules import them from here. Only public surface is
used: Prefect's settings (environment variables), its REST API's health endpoint, the app factory that
`prefect server start` itself serves, and the Runner's documented `handle_sigterm` hook.

No Prefect import at module level: the CLI reads these names before it decides to import Prefect at all.
"""

from __future__ import annotations

import importlib.util
import signal
from pathlib import Path

PREFECT_VERSION = "3.8.8"  # as pinned in pyproject.toml; tests/test_prefect_runtime.py holds them equal

# Prefect settings, as environment variables.
API_URL = "PREFECT_API_URL"  # set: a client of that server; unset: a run starts its temporary server
API_KEY = "PREFECT_API_KEY"
HOME = "PREFECT_HOME"  # Prefect's own folder (profiles, and the SQLite database of a local server)
LOGGING_LEVEL = "PREFECT_LOGGING_LEVEL"
SERVER_LOGGING_LEVEL = "PREFECT_SERVER_LOGGING_LEVEL"
DATABASE_URL = "PREFECT_API_DATABASE_CONNECTION_URL"
STARTUP_TIMEOUT = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"  # also the limit of our temporary server
EPHEMERAL_ENABLED = "PREFECT_SERVER_EPHEMERAL_ENABLED"
HEARTBEAT_FREQUENCY = "PREFECT_FLOWS_HEARTBEAT_FREQUENCY"  # a worker's flow runs tell the server they are alive
ANALYTICS_ENABLED = "PREFECT_SERVER_ANALYTICS_ENABLED"  # false: never Prefect's own in-process-spawned server

# Variables that make a process a client of some other Prefect API; a server must not inherit them.
CLIENT_ONLY_VARIABLES = (API_URL, API_KEY)

# Before Prefect is imported: no telemetry, no UI, only warnings on the console. On 2 cores a server needs
# far more than Prefect's default 20 s to start (docs/stack_facts.md fact 2).
QUIET_ENV = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    STARTUP_TIMEOUT: "180",
    LOGGING_LEVEL: "WARNING",
    SERVER_LOGGING_LEVEL: "WARNING",
    "PREFECT_UI_ENABLED": "false",
}

DATABASE_FILE_NAME = "prefect.db"  # a local server's SQLite database, in PREFECT_HOME
HEALTH_PATH = "/health"  # under the API URL: answers `true` once the server serves requests
APP_FACTORY = "prefect.server.api.server:create_app"  # what `prefect server start` serves (with uvicorn)
PROCESS_WORKER_TYPE = "process"  # the work pool type whose worker starts each flow run as a local process

# The temporary server of one run serves the run's own client only: no UI, and of the background services
# only those that record what the run sends (task runs, events, logs); nothing that schedules or reschedules.
TEMPORARY_SERVER_SETTINGS = {
    "PREFECT_SERVER_UI_ENABLED": "false",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    **{f"PREFECT_SERVER_SERVICES_{service}_ENABLED": "false" for service in (
        "SCHEDULER", "LATE_RUNS", "FOREMAN", "CANCELLATION_CLEANUP", "PAUSE_EXPIRATIONS", "REPOSSESSOR",
        "CLEANUP_RECONCILER")},
}


def api_url(host: str, port: int) -> str:
    return f"http://{host}:{port}/api"


def database_url(home: Path) -> str:
    """The SQLite database of a server whose PREFECT_HOME is `home` (Prefect's own default, made explicit)."""
    return f"sqlite+aiosqlite:///{home / DATABASE_FILE_NAME}"


def uvicorn_args(host: str, port: int, log_level: str = "warning") -> list[str]:
    """uvicorn's arguments for Prefect's server app (`python -m uvicorn …`; it stops cleanly on SIGINT/SIGTERM).

    `create_app` is the documented factory that `prefect server start --workers N` hands to uvicorn too; as a
    plain `prefect server start` would, it runs every service whose setting is on (TEMPORARY_SERVER_SETTINGS).
    """
    return ["--factory", APP_FACTORY, "--host", host, "--port", str(port), "--log-level", log_level.lower(),
            "--lifespan", "on"]


def persistent_server_settings(host: str, port: int, home: Path, database: str | None = None) -> dict[str, str]:
    """`kpi server`'s settings: its own PREFECT_HOME and database (`database`, a SQLAlchemy URL such as
    postgresql+asyncpg://…; by default SQLite in `home`), the UI on (pointing at its own API)."""
    return {
        HOME: str(home),
        "PREFECT_UI_ENABLED": "true",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_API_HOST": host,
        "PREFECT_SERVER_API_PORT": str(port),
        "PREFECT_UI_API_URL": api_url(host, port),
        DATABASE_URL: database or database_url(home),
    }


def persistent_server_command(prefect_executable: str, host: str, port: int) -> list[str]:
    """`prefect server start`: the long-running server with UI and every service (`kpi server`)."""
    return [prefect_executable, "server", "start", "--host", host, "--port", str(port)]


def migrations_folder() -> Path:
    """Where the installed Prefect keeps its SQLite migration scripts (found without importing Prefect)."""
    spec = importlib.util.find_spec("prefect")
    assert spec is not None and spec.submodule_search_locations, "prefect is not installed"
    package = Path(next(iter(spec.submodule_search_locations)))
    return package / "server" / "database" / "_migrations" / "versions" / "sqlite"


def make_runner(limit: int):
    """Prefect's Runner (the machinery of `flow.serve`) that stops on SIGTERM as it does on SIGINT.

    The Runner's own SIGTERM handler does not end the process (docs/stack_facts.md fact 5), and systemd stops
    a service with SIGTERM; its `handle_sigterm` hook turns SIGTERM into SIGINT, so both take the same,
    clean path (asyncio's KeyboardInterrupt: the schedule is paused on the server and the Runner exits).
    """
    from prefect.runner import Runner

    class SigtermInterruptsRunner(Runner):
        def handle_sigterm(self, *args: object, **kwargs: object) -> None:
            signal.raise_signal(signal.SIGINT)

    return SigtermInterruptsRunner(pause_on_shutdown=True, limit=limit)
