"""Where the operating side keeps its state: outside the repository, per user, overridable by env vars.

- data: `$KPI_DATA_DIR`, else `$XDG_DATA_HOME/kpi-warehouse`, else `~/.local/share/kpi-warehouse`
  (the Prefect server's SQLite database and settings live in `<data>/prefect`);
- config: `$KPI_CONFIG_FILE`, else `$XDG_CONFIG_HOME/kpi-warehouse/kpi.toml`, else
  `~/.config/kpi-warehouse/kpi.toml` (SMTP settings; never in the repository).
"""

from __future__ import annotations

import os
from pathlib import Path

from pipelines import prefect_runtime

APP_DIR_NAME = "kpi-warehouse"
DEFAULT_PREFECT_PORT = 4200
LOCAL_HOST = "127.0.0.1"
SUMMARY_FILE_NAME = "seneste_koersel.md"


def _xdg(var: str, fallback: str) -> Path:
    value = os.environ.get(var)
    return Path(value) if value else Path.home() / fallback


def data_dir() -> Path:
    explicit = os.environ.get("KPI_DATA_DIR")
    return Path(explicit) if explicit else _xdg("XDG_DATA_HOME", ".local/share") / APP_DIR_NAME


def prefect_home() -> Path:
    return data_dir() / "prefect"


def config_file() -> Path:
    explicit = os.environ.get("KPI_CONFIG_FILE")
    return Path(explicit) if explicit else _xdg("XDG_CONFIG_HOME", ".config") / APP_DIR_NAME / "kpi.toml"


def prefect_port() -> int:
    return int(os.environ.get("KPI_PREFECT_PORT", DEFAULT_PREFECT_PORT))


def prefect_database_url() -> str | None:
    """`kpi server`'s database when it is not the SQLite file in prefect_home(): a fleet's server on
    PostgreSQL (docs/scaling.md)."""
    return os.environ.get("KPI_PREFECT_DATABASE_URL") or None


def api_url(port: int) -> str:
    return prefect_runtime.api_url(LOCAL_HOST, port)


def ui_url(port: int) -> str:
    return f"http://{LOCAL_HOST}:{port}"


def summary_path(warehouse: Path) -> Path:
    """The Danish summary of the latest run, beside the warehouse."""
    return warehouse.with_name(SUMMARY_FILE_NAME)
