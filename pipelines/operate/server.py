"""The persistent local Prefect server behind `kpi server`: SQLite in the data directory, UI on 127.0.0.1.

The temporary server of a plain `kpi nightly` runs without UI (settings.QUIET_OFFLINE_ENV); this one
turns the UI on, because analysts look at runs and logs in a browser. Analytics stay off.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from pipelines.runtime.places import LOCAL_HOST, api_url, prefect_home

# Variables that make a process a client of some other Prefect API; the server must not inherit them.
CLIENT_ONLY_VARIABLES = ("PREFECT_API_URL", "PREFECT_API_KEY")


def server_env(port: int, home: Path | None = None, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of the server process: its own PREFECT_HOME, the UI on, analytics off."""
    home = home or prefect_home()
    env = {k: v for k, v in (os.environ if base is None else base).items() if k not in CLIENT_ONLY_VARIABLES}
    env.update({
        "PREFECT_HOME": str(home),
        "PREFECT_UI_ENABLED": "true",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_API_HOST": LOCAL_HOST,
        "PREFECT_SERVER_API_PORT": str(port),
        "PREFECT_UI_API_URL": api_url(port),
        "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{home / 'prefect.db'}",
        "PREFECT_SERVER_LOGGING_LEVEL": env.get("PREFECT_SERVER_LOGGING_LEVEL", "WARNING"),
    })
    return env


def prefect_executable() -> str:
    return str(Path(sys.executable).with_name("prefect"))


def server_command(port: int) -> list[str]:
    return [prefect_executable(), "server", "start", "--host", LOCAL_HOST, "--port", str(port)]


def exec_server(port: int, home: Path | None = None) -> None:
    """Replace this process by `prefect server start`, so that systemd's signals reach the server itself."""
    env = server_env(port, home)
    Path(env["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)
    command = server_command(port)
    # An ignored SIGINT (a shell's background job) would survive exec; the server must stop on Ctrl-C/SIGINT.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.execve(command[0], command, env)
