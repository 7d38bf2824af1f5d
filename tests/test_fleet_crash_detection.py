"""What a real Prefect server records of runs that did not succeed.

- Crash detection for runs whose worker died (pipelines/flows/fleet.py). What it protects: a run killed before its
  first heartbeat reached the server stayed Running for ever and held its deployment's concurrency slot (CI saw the
  fleet e2e wait in vain for Crashed). The window now also opens on the Running state, which the server records
  itself; a server that has the older automation gets it brought up to date. Reproduce: start `kpi server`,
  register with `kpi schedule --programmes`, kill a run within a second of Running.
- A failed nightly ends its flow run Failed, with the Danish reason (it showed Completed: the UI, a work pool and
  automations saw success). Reproduce: a catalog with an error, `kpi nightly` with PREFECT_API_URL set.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pipelines.flows.fleet import CRASH_AUTOMATION_NAME, crash_detection_automation, ensure_crash_detection
from pipelines.operate.prefect_api import is_healthy
from tests.conftest import AS_OF, run_kpi
from tests.ops_helpers import free_port
from tests.test_ops_e2e import SAMPLE_INBOX, kpi_command, wait_for

PROJECT_READINGS = Path(__file__).parents[1] / "sources" / "reference" / "readings.yaml"


@pytest.fixture(scope="module")
def server_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    root = tmp_path_factory.mktemp("server")
    port = free_port()
    env = {**os.environ, "KPI_DATA_DIR": str(root / "data"), "KPI_CONFIG_FILE": str(root / "none.toml")}
    env.pop("PREFECT_API_URL", None)
    with (root / "server.log").open("w") as log:
        server = subprocess.Popen(kpi_command("server", "--port", str(port)), env=env, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for("Prefect server healthy", lambda: is_healthy(f"http://127.0.0.1:{port}/api"), 180)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)


def _automations(port: int) -> list[dict]:
    found = httpx.post(f"http://127.0.0.1:{port}/api/automations/filter", json={"limit": 50, "offset": 0})
    return [a for a in found.json() if a["name"] == CRASH_AUTOMATION_NAME]


@pytest.mark.e2e
def test_crash_detection_opens_on_running_and_an_older_automation_is_brought_up_to_date(server_port: int) -> None:
    port = server_port
    assert ensure_crash_detection(port) is True
    assert ensure_crash_detection(port) is False
    (created,) = _automations(port)
    assert set(created["trigger"]["after"]) == {"prefect.flow-run.heartbeat", "prefect.flow-run.Running"}
    assert created["trigger"]["within"] == 60.0 and created["trigger"]["posture"] == "Proactive"

    older = crash_detection_automation()
    older["trigger"]["after"] = ["prefect.flow-run.heartbeat"]  # as registered before the fix
    httpx.put(f"http://127.0.0.1:{port}/api/automations/{created['id']}", json=older).raise_for_status()
    assert ensure_crash_detection(port) is True
    (updated,) = _automations(port)
    assert updated["id"] == created["id"]
    assert "prefect.flow-run.Running" in updated["trigger"]["after"]


@pytest.mark.e2e
def test_a_failed_nightly_ends_its_flow_run_failed_with_the_danish_reason(server_port: int, tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(SAMPLE_INBOX / "web_analytics", sources / "inbox" / "web_analytics")
    (sources / "reference").mkdir()
    broken = PROJECT_READINGS.read_text(encoding="utf-8").replace("    due_period: 2021\n", "    due_period: 2031\n", 1)
    assert broken != PROJECT_READINGS.read_text(encoding="utf-8")
    (sources / "reference" / "readings.yaml").write_text(broken, encoding="utf-8")
    api = f"http://127.0.0.1:{server_port}/api"
    env = {**os.environ, "PREFECT_API_URL": api}
    failed = run_kpi("nightly", "--sources", str(sources), "--warehouse", str(tmp_path / "w" / "kpi.duckdb"),
                     "--as-of", AS_OF, "--no-report", env=env)
    assert failed.returncode == 4, failed.stdout + failed.stderr
    assert "Traceback" not in failed.stdout + failed.stderr
    runs = httpx.post(f"{api}/flow_runs/filter", json={"limit": 10, "offset": 0, "sort": "START_TIME_DESC"}).json()
    (run,) = [r for r in runs if r["parameters"].get("sources_dir") == str(sources)]
    assert run["state"]["type"] == "FAILED"
    assert run["state"]["message"].startswith("Referencefilen ") and "2031" in run["state"]["message"]
