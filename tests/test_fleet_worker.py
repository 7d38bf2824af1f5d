"""`kpi worker`'s worker takes the next due run as soon as one of its runs ends (pipelines/operate/fleet_worker.py).

Prefect's process worker asks for due runs only on its loop; with `--limit 1` a worker whose run ended waited for
that loop (3,5 s per run on average against ~2,2 s of run on a night with nothing new, 2 s loop). These tests drive
the one method the worker adds around Prefect's `run` with a stand-in for the run's process; the worker itself,
against a real server and real runs, is exercised by tests/test_fleet_e2e.py and tests/test_fleet_scheduled_e2e.py
(slow lane).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import subprocess
import sys
from types import SimpleNamespace
from uuid import uuid4

import anyio
import pytest
from prefect.workers.process import ProcessWorker, ProcessWorkerResult

from pipelines.flows.fleet import WORKER_MODULE, WORKER_TYPE, worker_command
from pipelines.operate.fleet_worker import PromptProcessWorker


class ServerAway(Exception):
    pass


class RecordingWorker(PromptProcessWorker):
    """The worker with its own limiter, and a record of when it asked for due runs (the slots then taken)."""

    type = "kpi-test-recording"  # its own key in Prefect's registry of worker types, not "process"

    def __init__(self, limit: int = 1, asking_fails: bool = False) -> None:
        super().__init__(work_pool_name="kpi-test", limit=limit, name="test-worker")
        self.slots = anyio.CapacityLimiter(limit)
        self.asked_with_slots_taken: list[float] = []
        self.asking_fails = asking_fails

    @property
    def limiter(self) -> anyio.CapacityLimiter:
        return self.slots

    async def get_and_submit_flow_runs(self) -> list:
        self.asked_with_slots_taken.append(self.slots.borrowed_tokens)
        if self.asking_fails:
            raise ServerAway("the server did not answer")
        return []


@pytest.fixture
def process_run(monkeypatch):
    """Prefect's `run` (which starts the run's process and waits for it) replaced by one that returns at once,
    or raises what it is given."""
    outcome: dict = {"raise": None}

    async def run(self, flow_run, configuration, task_status=None):
        if outcome["raise"]:
            raise outcome["raise"]
        return ProcessWorkerResult(status_code=outcome.get("status_code", 0), identifier="4242")

    monkeypatch.setattr(ProcessWorker, "run", run)
    return outcome


def _run_on_slot(worker: RecordingWorker, hold_slot: bool = True, other_runs: int = 0):
    flow_run = SimpleNamespace(id=uuid4(), name="rapid-fox", parameters={"plan_id": "program_007"})

    async def go():
        for _ in range(other_runs):
            worker.slots.acquire_on_behalf_of_nowait(uuid4())
        if hold_slot:
            worker.slots.acquire_on_behalf_of_nowait(flow_run.id)
        return await worker.run(flow_run=flow_run, configuration=SimpleNamespace())

    return anyio.run(go)


def test_a_worker_asks_for_the_next_run_once_with_the_ended_runs_slot_free(process_run, capsys) -> None:
    worker = RecordingWorker()
    result = _run_on_slot(worker)
    assert result.status_code == 0 and result.identifier == "4242"
    assert worker.asked_with_slots_taken == [0]
    assert worker.slots.borrowed_tokens == 0
    said = capsys.readouterr().out.splitlines()
    assert said[0] == "Program program_007: kørsel 'rapid-fox' startet."
    assert re.fullmatch(r"Program program_007: kørsel 'rapid-fox' færdig \(\d+,\d s\)\.", said[1]), said


@pytest.mark.parametrize(("outcome", "said"), [
    ({"status_code": 1}, "sluttede med exitkode 1; se kørslen i Prefect"),
    ({"raise": RuntimeError("Failed to start flow run process.")}, "fejlede i arbejderen; se dens log"),
    ({"raise": asyncio.CancelledError()}, "afbrudt, da arbejderen stoppede"),
])
def test_the_worker_says_in_danish_how_each_run_ended(process_run, capsys, outcome: dict, said: str) -> None:
    process_run.update(outcome)
    with contextlib.suppress(Exception, asyncio.CancelledError):
        _run_on_slot(RecordingWorker())
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith(f"Program program_007: kørsel 'rapid-fox' {said} ("), last


def test_a_worker_with_two_slots_frees_only_the_ended_runs_slot(process_run) -> None:
    worker = RecordingWorker(limit=2)
    _run_on_slot(worker, other_runs=1)
    assert worker.asked_with_slots_taken == [1]  # the other run still holds its slot


def test_a_run_that_failed_to_start_frees_its_slot_and_its_error_goes_on(process_run) -> None:
    process_run["raise"] = RuntimeError("Failed to start flow run process.")
    worker = RecordingWorker()
    with pytest.raises(RuntimeError, match="Failed to start"):
        _run_on_slot(worker)
    assert worker.asked_with_slots_taken == [0]


def test_a_run_not_on_a_slot_of_this_worker_asks_for_nothing(process_run) -> None:
    worker = RecordingWorker()
    _run_on_slot(worker, hold_slot=False)
    assert worker.asked_with_slots_taken == []


def test_a_server_that_does_not_answer_then_is_left_to_the_workers_loop(process_run) -> None:
    worker = RecordingWorker(asking_fails=True)
    result = _run_on_slot(worker)
    assert result.status_code == 0
    assert worker.asked_with_slots_taken == [0]
    assert worker.slots.borrowed_tokens == 0


def test_kpi_worker_runs_this_worker_on_a_process_pool() -> None:
    assert worker_command("pool-a", 2, "w1") == [sys.executable, "-m", WORKER_MODULE, "--pool", "pool-a",
                                                "--limit", "2", "--name", "w1"]
    assert worker_command("pool-a", 1)[-2:] == ["--limit", "1"]
    assert PromptProcessWorker.type == WORKER_TYPE


def test_the_worker_module_says_how_to_run_it_and_imports_without_warnings() -> None:
    shown = subprocess.run([sys.executable, "-W", "error::UserWarning", "-m", WORKER_MODULE, "--help"],
                           capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert "--pool" in shown.stdout and "--limit" in shown.stdout and "næste forfaldne kørsel" in shown.stdout
