"""End to end, issue 25's "done when": ten generated programmes run on their schedules on a work pool.

`kpi sample --programmes 10` writes ten programmes of varied shape and plan period; their crons are set to one
minute a little ahead (UTC), `kpi schedule --programmes` registers them on a real Prefect server whose scheduler
runs every few seconds, and two real `kpi worker`s (with a PostgreSQL target) take the runs the server schedules:
no run is started by the test. Every programme publishes its DuckDB file and its PostgreSQL schema, the runs are
spread over both workers, an evaluator login of one programme sees only that programme among ten, and the Prefect
UI lists the runs (screenshot under test-artifacts/). A worker killed mid-run is tests/test_fleet_e2e.py.
"""

from __future__ import annotations

import os
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import psycopg
import pytest

from pipelines.operate.prefect_api import TERMINAL_STATES, is_healthy
from pipelines.publish.local_cluster import SUPERUSER_PASSWORD, start_local_cluster
from pipelines.publish.postgres import init_roles
from pipelines.publish.programmes import read_programmes
from tests.ops_helpers import free_port
from tests.test_fleet_e2e import Api, _worker_of
from tests.test_ops_e2e import kill_all, kpi_command, runs_page_lists, screenshot_runs_page, wait_for

PROGRAMMES = 10
LEAD = timedelta(seconds=60)  # `kpi schedule` registers ten within this (~15 s on a loaded machine)


def _fire_at(programmes_file: Path, at: datetime) -> None:
    """Every programme's cron: once a day at `at` (UTC), as an analyst would write it."""
    text = programmes_file.read_text(encoding="utf-8")
    text = re.sub(r'^cron = ".*"$', f'cron = "{at.minute} {at.hour} * * *"\ntimezone = "UTC"', text, flags=re.M)
    programmes_file.write_text(text, encoding="utf-8")


def _runs_of(api: Api, deployment_ids: list[str]) -> list[dict] | None:
    """The deployments' runs, or None while the busy server does not answer."""
    return api.poll("POST", "/flow_runs/filter", json={
        "flow_runs": {"deployment_id": {"any_": deployment_ids}}, "limit": 200, "offset": 0, "sort": "ID_DESC"})


def _duckdb_statuses(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select count(*) from kpi_status").fetchone()[0]


@pytest.mark.slow
def test_ten_generated_programmes_run_on_their_schedules_over_two_workers_into_duckdb_and_postgres(
        tmp_path: Path) -> None:
    generated = subprocess.run(kpi_command("sample", "--programmes", str(PROGRAMMES), "--target", str(tmp_path),
                                           "--seed", "11"), capture_output=True, text=True, timeout=600, check=False)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    programmes_file = tmp_path / "programmes.toml"
    cluster = start_local_cluster()
    dsn = cluster.dsn(password=SUPERUSER_PASSWORD)
    port = free_port()
    env = {**os.environ, "KPI_DATA_DIR": str(tmp_path / "data"), "KPI_PREFECT_PORT": str(port),
           "KPI_CONFIG_FILE": str(tmp_path / "no-config.toml"), "COLUMNS": "200", "KPI_PUBLISH_TARGETS": dsn,
           "PREFECT_WORKER_QUERY_SECONDS": "2", "PREFECT_LOGGING_LEVEL": "INFO",
           "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "5"}
    env.pop("PREFECT_API_URL", None)
    logs = {name: tmp_path / f"{name}.log" for name in ("server", "w1", "w2")}
    handles = {name: path.open("w") for name, path in logs.items()}
    started: dict[str, subprocess.Popen] = {}
    api = Api(port)
    try:
        for name, args in (("server", ("server",)), ("w1", ("worker", "--name", "w1")),
                           ("w2", ("worker", "--name", "w2"))):
            started[name] = subprocess.Popen(kpi_command(*args, "--port", str(port)), env=env, stdout=handles[name],
                                             stderr=subprocess.STDOUT, start_new_session=True)
        wait_for("Prefect server healthy", lambda: is_healthy(f"http://127.0.0.1:{port}/api"), 180)
        # the minute is chosen once the server serves: its start-up varies most with the machine's load
        fire = (datetime.now(UTC) + LEAD).replace(second=0, microsecond=0) + timedelta(minutes=1)
        _fire_at(programmes_file, fire)
        programmes = read_programmes(programmes_file)
        assert len(programmes) == PROGRAMMES and {p.timezone for p in programmes} == {"UTC"}
        registered = subprocess.run(kpi_command("schedule", "--programmes", str(programmes_file), "--port", str(port)),
                                    env=env, capture_output=True, text=True, timeout=300, check=False)
        assert registered.returncode == 0, registered.stdout + registered.stderr
        assert datetime.now(UTC) < fire - timedelta(seconds=10), "registered too late for the schedule: raise LEAD"
        deployment_ids = [d["id"] for d in api.deployments().values()]
        assert len(deployment_ids) == PROGRAMMES

        def all_finished() -> list[dict] | None:
            found = _runs_of(api, deployment_ids)
            if found is None:
                return None
            due = [r for r in found if datetime.fromisoformat(r["expected_start_time"]) <= fire]
            done = [r for r in due if r["state"]["type"] in TERMINAL_STATES]
            return done if len(done) == PROGRAMMES else None

        runs = wait_for("every scheduled run finished", all_finished, (fire - datetime.now(UTC)).seconds + 900,
                        every=5)
        assert {r["state"]["type"] for r in runs} == {"COMPLETED"}, [(r["name"], r["state"]) for r in runs]
        assert all(r["auto_scheduled"] and datetime.fromisoformat(r["expected_start_time"]) == fire for r in runs)
        assert {r["deployment_id"] for r in runs} == set(deployment_ids)  # one run of every programme
        assert {_worker_of(r["id"], logs) for r in runs} == {"w1", "w2"}  # spread over both workers

        with psycopg.connect(dsn) as pg:
            for programme in programmes:
                published = _duckdb_statuses(programme.warehouse)
                in_postgres = pg.execute(f'select count(*) from "{programme.plan_id}".kpi_status').fetchone()[0]
                assert published > 0 and in_postgres == published, programme.plan_id
        own = programmes[3].plan_id
        init_roles(dsn, own, login="eva_fleet", password="pw-fleet")
        with psycopg.connect(cluster.dsn(user="eva_fleet", password="pw-fleet")) as pg:
            pg.execute("set search_path = all_plans")
            assert {p for (p,) in pg.execute("select distinct plan_id from kpi_status").fetchall()} == {own}
            assert {p for (p,) in pg.execute("select distinct plan_id from data_gaps").fetchall()} <= {own}

        assert runs_page_lists(port, [r["name"] for r in runs], tmp_path / "chromium")
        screenshot_runs_page(port, "prefect_ui_fleet_scheduled_runs.png", tmp_path / "chromium")
    finally:
        kill_all(started.values(), handles.values())
        cluster.stop()
