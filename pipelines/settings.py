"""Paths, defaults and the environment that keeps the stack quiet and offline."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
DEFAULT_SOURCES = REPO_ROOT / "sources"
DEFAULT_WAREHOUSE = REPO_ROOT / "warehouse" / "kpi.duckdb"
REFERENCE_DIR_NAME = "reference"
INBOX_DIR_NAME = "inbox"

QUIET_OFFLINE_ENV = {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DBT_VERSION_CHECK": "false",
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
    "PREFECT_UI_ENABLED": "false",
}


def apply_quiet_offline_env() -> None:
    """Turn off telemetry and version checks before dbt, Prefect or GX is imported."""
    for key, value in QUIET_OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("PREFECT_HOME", str(REPO_ROOT / ".prefect"))


@dataclass(frozen=True)
class RunConfig:
    """Everything one nightly run needs to know about where things are."""

    sources_dir: Path
    warehouse: Path
    as_of: date

    @property
    def inbox(self) -> Path:
        return self.sources_dir / INBOX_DIR_NAME

    @property
    def reference(self) -> Path:
        reference = self.sources_dir / REFERENCE_DIR_NAME
        return reference if reference.is_dir() else DEFAULT_SOURCES / REFERENCE_DIR_NAME

    @property
    def catalog_file(self) -> Path:
        return self.reference / "criteria.yaml"

    @property
    def internal_warehouse(self) -> Path:
        """The private build state: raw deliveries and every dbt layer. Never published."""
        return self.warehouse.with_name(self.warehouse.stem + ".internal.duckdb")
