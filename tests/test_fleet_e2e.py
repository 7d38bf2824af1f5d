"""End to end: programmes as Prefect deployments on a work pool, run by two real `kpi worker`s (issue 25).

One Prefect server, two workers (started before the server, so they must wait for it), two programmes
registered by `kpi schedule --programmes`. Each programme's run is picked up by a worker and publishes its
own file; a worker killed during a run (with its run, as systemd's cgroup kill does) leaves the published
file untouched, the run is marked Crashed by the server, the lock is free, and the next run of that programme
succeeds on the other worker. The Prefect UI lists the runs (screenshot under test-artifacts/).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
from pathlib import Path

import duckdb
import psutil
import pytest

from pipelines.flows.fleet import CRASH_AFTER_SECONDS, deployment_name
from pipelines.operate.lock import RunLock
from pipelines.operate.prefect_api import RunsApi, is_healthy
from tests.ops_helpers import free_port
from tests.test_ops_e2e import (
    SAMPLE_INBOX,
    kill_all,
    kpi_command,
    runs_page_lists,
    screenshot_runs_page,
    wait_for,
)

PROGRAMMES = ("alfa", "beta")


def _programmes_file(root: Path) -> Path:
    lines = []
    for plan_id, cron, zone in (("alfa", "0 3 * * *", "Europe/Copenhagen"), ("beta", "30 1 * * 1-5", "UTC")):
        shutil.copytree(SAMPLE_INBOX / "web_analytics", root / plan_id / "inbox" / "web_analytics")
        lines.append(f'[[programme]]\nplan_id = "{plan_id}"\nname = "Program {plan_id}"\nsources = "{plan_id}"\n'
                     f'warehouse = "warehouses/{plan_id}/{plan_id}.duckdb"\ncron = "{cron}"\ntimezone = "{zone}"\n')
    path = root / "programmes.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _warehouse(root: Path, plan_id: str) -> Path:
    return root / "warehouses" / plan_id / f"{plan_id}.duckdb"


class Api(RunsApi):
    """The fleet's server as the tests poll it (RunsApi: a stalled server is "not yet"), by programme."""

    def __init__(self, port: int) -> None:
        super().__init__(f"http://127.0.0.1:{port}/api")

    def start_programme_run(self, plan_id: str) -> str:
        """A run of the programme's deployment now, as its schedule would make one."""
        return self.start_run(self.deployments()[deployment_name(plan_id)]["id"], tries=5)


def _runs_loaded(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select count(*) from measurements where source_system = 'web_analytics'").fetchone()[0]


def _worker_of(run_id: str, logs: dict[str, Path]) -> str:
    """The worker that ran the flow run: the run's own log lines (its URL) are in that worker's output. Both
    workers may try to submit a run; the one that loses is told to abort and never starts it."""
    (name,) = [name for name, log in logs.items()
               if f"flow-run/{run_id}" in log.read_text(encoding="utf-8", errors="replace")]
    return name


@pytest.mark.slow
@pytest.mark.e2e
def test_two_workers_run_every_programme_and_survive_a_killed_worker(tmp_path: Path) -> None:
    port = free_port()
    programmes = _programmes_file(tmp_path)
    env = {**os.environ, "KPI_DATA_DIR": str(tmp_path / "data"), "KPI_PREFECT_PORT": str(port),
           "KPI_CONFIG_FILE": str(tmp_path / "no-config.toml"), "COLUMNS": "200",
           "PREFECT_WORKER_QUERY_SECONDS": "2", "PREFECT_LOGGING_LEVEL": "INFO"}
    env.pop("PREFECT_API_URL", None)
    logs = {name: tmp_path / f"{name}.log" for name in ("server", "w1", "w2")}
    handles = {name: path.open("w") for name, path in logs.items()}
    started: dict[str, subprocess.Popen] = {}
    api = Api(port)

    def launch(name: str, *args: str) -> None:
        started[name] = subprocess.Popen(kpi_command(*args), env=env, stdout=handles[name], stderr=subprocess.STDOUT,
                                         start_new_session=True)

    try:
        for worker in ("w1", "w2"):  # before the server: they must wait for it, not exit
            launch(worker, "worker", "--name", worker, "--port", str(port))
        launch("server", "server", "--port", str(port))
        wait_for("Prefect server healthy", lambda: is_healthy(f"http://127.0.0.1:{port}/api"), 180)
        assert all(started[w].poll() is None for w in ("w1", "w2"))

        registered = subprocess.run(kpi_command("schedule", "--programmes", str(programmes), "--port", str(port)),
                                    env=env, capture_output=True, text=True, timeout=300, check=False)
        assert registered.returncode == 0, registered.stdout + registered.stderr
        deployments = api.deployments()
        assert {name: ([(s["schedule"]["cron"], s["schedule"]["timezone"]) for s in d["schedules"]],
                       d["tags"], d["global_concurrency_limit"]["limit"], d["work_pool_name"])
                for name, d in deployments.items()} == {
            "kpi-nightly-alfa": ([("0 3 * * *", "Europe/Copenhagen")], ["kpi-warehouse", "programme:alfa"], 1,
                                 "kpi-warehouse"),
            "kpi-nightly-beta": ([("30 1 * * 1-5", "UTC")], ["kpi-warehouse", "programme:beta"], 1, "kpi-warehouse")}

        first = {plan_id: api.start_programme_run(plan_id) for plan_id in PROGRAMMES}
        for plan_id, run_id in first.items():
            assert wait_for(f"{plan_id} finished", lambda r=run_id: api.finished(r), 400, every=3) == "COMPLETED"
            assert _runs_loaded(_warehouse(tmp_path, plan_id)) >= 5
        assert {_worker_of(run_id, logs) for run_id in first.values()} == {"w1", "w2"}  # spread over both

        alfa = _warehouse(tmp_path, "alfa")
        published_before = hashlib.sha256(alfa.read_bytes()).hexdigest()
        shutil.copytree(SAMPLE_INBOX / "police_haervaerk", tmp_path / "alfa" / "inbox" / "police_haervaerk")
        doomed = api.start_programme_run("alfa")
        wait_for("the doomed run is running", lambda: api.state(doomed) == "RUNNING", 180, every=1)
        described = wait_for("the doomed run described", lambda: api.run(doomed), 120)
        flow_process = psutil.Process(int(described["infrastructure_pid"]))
        (victim,) = [name for name in ("w1", "w2") if started[name].pid == flow_process.ppid()]  # exec'd: same pid
        # the deployment's client, whose run is a child of the worker's warm parent (decision 0014)
        assert "kpi-flow-run" in " ".join(flow_process.cmdline())
        assert all("Varme kørsler er klar" in logs[w].read_text(encoding="utf-8") for w in ("w1", "w2"))
        os.killpg(started[victim].pid, signal.SIGKILL)  # the worker and what systemd's cgroup kill also takes:
        # the client, which Prefect starts in a session of its own; it may have ended already, its run having
        # died with the warm parent
        with contextlib.suppress(ProcessLookupError):
            os.killpg(flow_process.pid, signal.SIGKILL)
        started[victim].wait(timeout=30)
        assert wait_for("the run marked crashed", lambda: api.finished(doomed), CRASH_AFTER_SECONDS + 120,
                        every=5) == "CRASHED"
        assert hashlib.sha256(alfa.read_bytes()).hexdigest() == published_before
        RunLock(alfa).acquire().release()  # the kernel released the dead run's lock

        survivor = ({"w1", "w2"} - {victim}).pop()
        after = api.start_programme_run("alfa")
        assert wait_for("the next run finished", lambda: api.finished(after), 400, every=3) == "COMPLETED"
        assert _worker_of(after, logs) == survivor
        with duckdb.connect(str(alfa), read_only=True) as con:
            assert con.execute("select count(*) from measurements "
                               "where source_system = 'police_haervaerk'").fetchone()[0] > 0
            outcomes = [o for (o,) in con.execute("select outcome from load_runs order by started_at").fetchall()]
        # The killed run is on record as failed if it got as far as writing its first line (else not at all).
        assert outcomes[-1] == "published" and set(outcomes) <= {"published", "failed"}, outcomes

        after_name = wait_for("the next run described", lambda: api.run(after), 120)["name"]
        assert runs_page_lists(port, [after_name], tmp_path / "chromium")
        screenshot_runs_page(port, "prefect_ui_fleet_runs.png", tmp_path / "chromium")
    finally:
        kill_all(started.values(), handles.values())
