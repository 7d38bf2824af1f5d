"""The server's crash detection for runs whose worker died (pipelines/flows/fleet.py), on a real Prefect server.

What it protects: a run killed before its first heartbeat reached the server stayed Running for ever and held its
deployment's concurrency slot (CI saw the fleet e2e wait in vain for Crashed). The window now also opens on the
Running state, which the server records itself; a server that has the older automation gets it brought up to date.
Reproduce: start `kpi server`, register with `kpi schedule --programmes`, kill a run within a second of Running.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from pipelines.flows.fleet import CRASH_AUTOMATION_NAME, crash_detection_automation, ensure_crash_detection
from tests.ops_helpers import free_port
from tests.test_ops_e2e import healthy, kpi_command, wait_for


def _automations(port: int) -> list[dict]:
    found = httpx.post(f"http://127.0.0.1:{port}/api/automations/filter", json={"limit": 50, "offset": 0})
    return [a for a in found.json() if a["name"] == CRASH_AUTOMATION_NAME]


@pytest.mark.e2e
def test_crash_detection_opens_on_running_and_an_older_automation_is_brought_up_to_date(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "KPI_DATA_DIR": str(tmp_path / "data"), "KPI_CONFIG_FILE": str(tmp_path / "none.toml")}
    env.pop("PREFECT_API_URL", None)
    with (tmp_path / "server.log").open("w") as log:
        server = subprocess.Popen(kpi_command("server", "--port", str(port)), env=env, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for("Prefect server healthy", lambda: healthy(f"http://127.0.0.1:{port}/api"), 180)
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
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
