"""`kpi server --database-url` (pipelines/commands/server.py): a fleet's Prefect server on PostgreSQL
(docs/scaling.md). It protects against the setting not reaching the server: once, `make bench-fleet` asked for
PostgreSQL and measured a server on SQLite, because `kpi server` overwrote the database it was given.
Reproduce: `pytest tests/test_server_database.py`."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import psycopg

from bench.fleet import prefect_database
from pipelines.operate.prefect_api import is_healthy
from pipelines.publish.local_cluster import SUPERUSER, SUPERUSER_PASSWORD, start_local_cluster
from tests.ops_helpers import free_port
from tests.test_ops_e2e import kpi_command, wait_for


def test_kpi_server_keeps_its_runs_in_the_postgresql_database_it_is_given(tmp_path: Path) -> None:
    cluster = start_local_cluster()
    server = None
    try:
        database = prefect_database(cluster)
        port = free_port()
        env = {**os.environ, "KPI_DATA_DIR": str(tmp_path / "data"), "KPI_PREFECT_DATABASE_URL": database.url,
               "COLUMNS": "200"}
        log = tmp_path / "server.log"
        with log.open("w") as out:
            server = subprocess.Popen(kpi_command("server", "--port", str(port)), env=env, stdout=out,
                                      stderr=subprocess.STDOUT, start_new_session=True)
        wait_for("the server healthy", lambda: is_healthy(f"http://127.0.0.1:{port}/api") or server.poll() is not None,
                 240)
        assert server.poll() is None, log.read_text()
        with psycopg.connect(database.dsn) as pg:
            assert pg.execute("select to_regclass('flow_run')").fetchone()[0] == "flow_run"
        assert not (tmp_path / "data" / "prefect" / "prefect.db").exists()
        said = log.read_text()
        assert f"database postgresql+asyncpg://{SUPERUSER}:***@127.0.0.1:{cluster.port}/prefect" in said
        assert SUPERUSER_PASSWORD not in said
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
        cluster.stop()
