"""What `kpi status` and `kpi schedule` ask the local Prefect server, over its REST API (httpx, short timeouts).

Plain HTTP instead of Prefect's client: it answers in well under a second, needs no Prefect import, and
always sends `limit` and `sort` (the `prefect deployment ls` request without them gets a 422 from this
stack, docs/stack_facts.md fact 4).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

import httpx

from pipelines.prefect_runtime import HEALTH_PATH

FLOW_NAME = "kpi-nightly"
DEPLOYMENT_NAME = "kpi-nightly"


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


def is_healthy(api_url: str, timeout: float = 2.0) -> bool:
    try:
        response = httpx.get(f"{api_url}{HEALTH_PATH}", timeout=timeout)
    except httpx.HTTPError:
        return False
    return response.status_code == 200 and response.json() is True


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
