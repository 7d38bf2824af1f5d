"""What `kpi status` and `kpi schedule` ask the local Prefect server, over its REST API (httpx, short timeouts).

Plain HTTP instead of Prefect's client: it answers in well under a second, needs no Prefect import, and
always sends `limit` and `sort` (the `prefect deployment ls` request without them gets a 422 from this
stack, docs/stack_facts.md fact 4).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from pipelines.prefect_runtime import HEALTH_PATH

FLOW_NAME = "kpi-nightly"
DEPLOYMENT_NAME = "kpi-nightly"
TERMINAL_STATES = ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")  # a flow run's state types that end it


@dataclass(frozen=True)
class ScheduleState:
    """The served nightly deployment as the server sees it."""

    deployment_id: str
    paused: bool
    schedules: list[str]
    serving: bool
    next_run: datetime | None

    @property
    def active(self) -> bool:
        return not self.paused and bool(self.schedules)


def answer_or_why(client: httpx.Client, method: str, path: str, **kwargs) -> httpx.Response | str:
    """The server's answer, or why there was none: a transport error (a read past the timeout) or a 5xx. A
    server on SQLite can stall for many seconds while many runs and workers write to it (CI saw a 10 s read
    time out, the fleet benchmark a 30 s one); pollers take the text as "not yet" and keep their own deadline."""
    try:
        response = client.request(method, path, **kwargs)
    except httpx.TransportError as error:
        return repr(error)
    return response if response.status_code < 500 else said(response)


def said(response: httpx.Response) -> str:
    """A server's answer in one short line, for a message: its status and the start of its body."""
    return f"{response.status_code} {response.text[:300]}"


class ServerDidNotAnswer(RuntimeError):
    """The server gave no usable answer within a call's tries; the message lists what it said."""


class RunsApi:
    """Deployments and flow runs, for whoever creates runs and waits for them (the fleet benchmark and tests).

    Every call goes through `answer_or_why`, so a stalled or busy server is "not yet", never a crash: a
    lookup or a run's creation is tried up to `tries` times, `pause` seconds apart, then raises
    ServerDidNotAnswer; a run's state is None while there is no answer, and the caller's own deadline decides.
    """

    def __init__(self, api_url: str, timeout: float = 30.0, pause: float = 3.0) -> None:
        self.client = httpx.Client(base_url=api_url, timeout=timeout)
        self.pause = pause

    def poll(self, method: str, path: str, **kwargs) -> object | None:
        """The answer's JSON, or None when there was none (see answer_or_why); a refusal (4xx) raises
        httpx.HTTPStatusError: the request was wrong, and asking again would not help."""
        answer = answer_or_why(self.client, method, path, **kwargs)
        if isinstance(answer, str):
            return None
        return answer.raise_for_status().json()

    def deployments(self, tries: int = 40) -> dict[str, dict]:
        """Every deployment on the server, by name."""
        listed = self._ask_until(200, tries, "the deployments were not listed", "POST", "/deployments/filter",
                                 json={"sort": "NAME_ASC", "limit": 200, "offset": 0})
        return {d["name"]: d for d in listed}

    def start_run(self, deployment_id: str, tries: int = 10) -> str:
        """A new flow run of the deployment now, as its schedule would make one; its id."""
        created = self._ask_until(201, tries, "no flow run was created", "POST",
                                  f"/deployments/{deployment_id}/create_flow_run", json={})
        return created["id"]

    def _ask_until(self, status: int, tries: int, failed: str, method: str, path: str, **kwargs) -> Any:
        """The answer's JSON once the server answers with `status`; after `tries` answers (or none) otherwise,
        ServerDidNotAnswer with `failed` and the last three of what the server said."""
        answers = []
        for _ in range(tries):
            answer = answer_or_why(self.client, method, path, **kwargs)
            if isinstance(answer, httpx.Response) and answer.status_code == status:
                return answer.json()
            answers.append(answer if isinstance(answer, str) else said(answer))
            time.sleep(self.pause)
        raise ServerDidNotAnswer(f"{failed}: {answers[-3:]}")

    def run(self, run_id: str) -> dict | None:
        """The flow run as the server describes it, or None while there is no answer."""
        found = self.poll("GET", f"/flow_runs/{run_id}")
        return found if isinstance(found, dict) else None

    def state(self, run_id: str) -> str | None:
        """The run's state type (RUNNING, COMPLETED, …), or None while there is no answer."""
        found = self.run(run_id)
        return found["state"]["type"] if found else None

    def finished(self, run_id: str) -> str | None:
        """The run's final state type once it has ended, else None."""
        state = self.state(run_id)
        return state if state in TERMINAL_STATES else None


def is_healthy(api_url: str, timeout: float = 2.0) -> bool:
    """The server answers its health check with `true` (anything else, or no answer, is not healthy)."""
    try:
        response = httpx.get(f"{api_url}{HEALTH_PATH}", timeout=timeout)
        return response.status_code == 200 and response.json() is True
    except (httpx.HTTPError, ValueError):  # no answer, or one that is not JSON (a proxy's page)
        return False


def wait_until_healthy(api_url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while True:
        if is_healthy(api_url):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(1.0)


def describe_schedule(schedule: dict) -> str:
    """A Prefect schedule as a short text: `cron 0 2 * * * (Europe/Copenhagen)`."""
    zone = schedule.get("timezone") or "UTC"
    if "cron" in schedule:
        return f"cron {schedule['cron']} ({zone})"
    if "interval" in schedule:
        return f"hvert {schedule['interval']} sekund fra {schedule.get('anchor_date')} ({zone})"
    if "rrule" in schedule:
        return f"rrule {schedule['rrule']} ({zone})"
    return str(schedule)


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def schedule_state(api_url: str, timeout: float = 3.0) -> ScheduleState | None:
    """The nightly deployment, or None when the server has none. Raises httpx.HTTPError when it does not answer."""
    with httpx.Client(base_url=api_url, timeout=timeout) as client:
        response = client.post("/deployments/filter", json={
            "flows": {"name": {"any_": [FLOW_NAME]}},
            "deployments": {"name": {"any_": [DEPLOYMENT_NAME]}},
            "sort": "UPDATED_DESC", "limit": 1, "offset": 0,
        })
        response.raise_for_status()
        deployments = response.json()
        if not deployments:
            return None
        deployment = deployments[0]
        response = client.post("/flow_runs/filter", json={
            "deployments": {"id": {"any_": [deployment["id"]]}},
            "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}},
            "sort": "EXPECTED_START_TIME_ASC", "limit": 1, "offset": 0,
        })
        response.raise_for_status()
        scheduled = response.json()
    return ScheduleState(
        deployment_id=deployment["id"],
        paused=bool(deployment.get("paused")),
        schedules=[describe_schedule(s["schedule"]) for s in deployment.get("schedules", []) if s.get("active", True)],
        serving=deployment.get("status") == "READY",
        next_run=_parse_time(scheduled[0].get("expected_start_time")) if scheduled else None,
    )
