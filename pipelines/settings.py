"""Paths, defaults and the environment that keeps the stack quiet and offline."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pipelines import prefect_runtime

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
DEFAULT_SOURCES = REPO_ROOT / "sources"
DEFAULT_WAREHOUSE = REPO_ROOT / "warehouse" / "kpi.duckdb"
REFERENCE_DIR_NAME = "reference"
INBOX_DIR_NAME = "inbox"
RUN_DIR_PREFIX = ".kpi-run-"
DEFAULT_PREFECT_HOME = REPO_ROOT / ".prefect"

QUIET_OFFLINE_ENV = {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DBT_VERSION_CHECK": "false",
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "false",
    **prefect_runtime.QUIET_ENV,
}


def apply_quiet_offline_env() -> None:
    """Turn off telemetry and version checks before dbt, Prefect or GX is imported."""
    for key, value in QUIET_OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault(prefect_runtime.HOME, str(DEFAULT_PREFECT_HOME))
    with contextlib.suppress(OSError):  # unusable: `kpi nightly` says so in Danish (prefect_home_problem)
        current_prefect_home().mkdir(parents=True, exist_ok=True)


def current_prefect_home() -> Path:
    return Path(os.environ.get(prefect_runtime.HOME, str(DEFAULT_PREFECT_HOME))).expanduser()


def uses_temporary_prefect_server() -> bool:
    """Without PREFECT_API_URL a run starts a temporary server (pipelines/operate/server.py), with its database
    in PREFECT_HOME."""
    return not os.environ.get(prefect_runtime.API_URL)


def prefect_home_problem() -> str | None:
    """Why the temporary Prefect server could not keep its SQLite database in PREFECT_HOME, or None.

    Prefect creates only the last level of PREFECT_HOME; in a folder that is not there SQLite fails with
    "unable to open database file" and the server never starts.
    """
    home = current_prefect_home()
    if not home.is_dir():
        return f"Prefects mappe {home} (PREFECT_HOME) findes ikke og kan ikke oprettes."
    if not os.access(home, os.W_OK | os.X_OK):
        return f"Der kan ikke skrives i Prefects mappe {home} (PREFECT_HOME)."
    return None


DEFAULT_PLAN_ID = "kpi"


@dataclass(frozen=True)
class RunConfig:
    """Everything one nightly run needs to know about where things are."""

    sources_dir: Path
    warehouse: Path
    as_of: date
    plan_id: str = DEFAULT_PLAN_ID  # the programme's key: its schema when published to PostgreSQL

    @property
    def inbox(self) -> Path:
        return self.sources_dir / INBOX_DIR_NAME

    @property
    def own_reference(self) -> Path:
        """The analyst's reference folder; each file missing there comes from the project
        (pipelines/reference/resolution.py)."""
        return self.sources_dir / REFERENCE_DIR_NAME

    @property
    def log_dir(self) -> Path:
        """Where each run's log file (with any traceback) is written."""
        return self.warehouse.parent / "logs"

    def run_dir(self, run_id: str) -> Path:
        """A run's private working folder (its snapshot of the reference files), removed when it ends."""
        return self.warehouse.parent / f"{RUN_DIR_PREFIX}{run_id}"

    @property
    def internal_warehouse(self) -> Path:
        """The private build state: raw deliveries and every dbt layer. Never published."""
        return internal_warehouse_path(self.warehouse)


def internal_warehouse_path(warehouse: Path) -> Path:
    """The internal file beside the published `warehouse` (raw deliveries and every dbt layer; never published)."""
    return warehouse.with_name(warehouse.stem + ".internal.duckdb")
