"""Many programmes on many machines: each programme's nightly as a Prefect deployment on a process work pool.

`kpi schedule --programmes` registers one deployment per programme (`kpi-nightly-<plan_id>`) with the
programme's own cron and time zone from `programmes.toml`, tags for the programme, and a deployment
concurrency limit of one (further runs wait: ENQUEUE), so two runs of one programme never overlap; the
warehouse lock inside the flow stays as the last guard. `kpi worker` starts Prefect's process worker on
the pool (`pipelines/operate/fleet_worker.py`: it also asks for the next due run as soon as one of its runs
ends); any number of workers on any number of machines share it, each pulling the next due run. We write no
scheduling or distribution of our own.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from pipelines import prefect_runtime
from pipelines.flows.deployment import ScheduleError, check_timezone
from pipelines.operate.warm_flow_runs import CLIENT_COMMAND
from pipelines.publish.programmes import Programme
from pipelines.runtime.places import api_url

DEFAULT_POOL = "kpi-warehouse"
DEPLOYMENT_PREFIX = "kpi-nightly-"
WORKER_TYPE = prefect_runtime.PROCESS_WORKER_TYPE
WORKER_MODULE = "pipelines.operate.fleet_worker"
# A flow-run process sends a heartbeat this often; a run whose heartbeats stop (its worker was killed) is
# marked crashed by the server's automation (see `ensure_crash_detection`).
HEARTBEAT_SECONDS = 30


@dataclass(frozen=True)
class RegisteredProgramme:
    plan_id: str
    deployment: str
    schedule: str


def deployment_name(plan_id: str) -> str:
    return f"{DEPLOYMENT_PREFIX}{plan_id}"


def programme_tags(programme: Programme) -> list[str]:
    return ["kpi-warehouse", f"programme:{programme.plan_id}"]


def _schedule(programme: Programme):
    from prefect.schedules import Cron

    zone = check_timezone(programme.timezone)
    try:
        return Cron(programme.cron, timezone=zone)
    except ValueError as exc:
        raise ScheduleError(f"Program {programme.plan_id}: ugyldigt cron-udtryk '{programme.cron}'; forventet fem "
                            "gyldige felter (minut time dag måned ugedag), fx \"0 2 * * *\".") from exc


def check_schedules(programmes: list[Programme]) -> None:
    """Every programme's cron and time zone, before anything is registered (ScheduleError, Danish)."""
    for programme in programmes:
        _schedule(programme)


def ensure_pool(pool: str) -> bool:
    """Create the process work pool unless it exists; True when it was created."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound
    from prefect.workers.process import ProcessWorker

    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(pool)
            return False
        except ObjectNotFound:
            client.create_work_pool(WorkPoolCreate(
                name=pool, type=WORKER_TYPE, base_job_template=ProcessWorker.get_default_base_job_template(),
                description="kpi-warehouse: natkørslerne af alle programmer"))
            return True


def register_programmes(programmes: list[Programme], pool: str, port: int) -> list[RegisteredProgramme]:
    """One deployment per programme on the pool (replacing an earlier registration of the same name)."""
    os.environ[prefect_runtime.API_URL] = api_url(port)
    from prefect.settings import PREFECT_API_URL, temporary_settings

    # Prefect reads its settings once, at import: the server must also be set in its settings context.
    with temporary_settings(updates={PREFECT_API_URL: api_url(port)}):
        check_schedules(programmes)
        ensure_pool(pool)
        ensure_crash_detection(port)
        return [_register(programme, pool) for programme in programmes]


def _register(programme: Programme, pool: str) -> RegisteredProgramme:
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.types.entrypoint import EntrypointType

    from pipelines.flows.nightly import nightly_flow

    deployment = nightly_flow.to_deployment(
        name=deployment_name(programme.plan_id),
        schedules=[_schedule(programme)],
        parameters={"sources_dir": str(programme.sources), "warehouse": str(programme.warehouse),
                    "plan_id": programme.plan_id, "as_of": None},
        description=f"Natkørslen af {programme.name} ({programme.plan_id}).",
        tags=programme_tags(programme),
        concurrency_limit=ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE),
        entrypoint_type=EntrypointType.MODULE_PATH,
        job_variables={"command": CLIENT_COMMAND},  # the run starts warm on a `kpi worker` (warm_flow_runs)
    )
    deployment.apply(work_pool_name=pool)
    return RegisteredProgramme(programme.plan_id, deployment.name, f"{programme.cron} ({programme.timezone})")


def worker_env(port: int, base: dict[str, str] | None = None) -> dict[str, str]:
    """A worker's environment: a client of the server, flow-run heartbeats on, analytics off."""
    env = dict(os.environ if base is None else base)
    env.update({prefect_runtime.API_URL: api_url(port), prefect_runtime.HEARTBEAT_FREQUENCY: str(HEARTBEAT_SECONDS),
                "DO_NOT_TRACK": "1", prefect_runtime.ANALYTICS_ENABLED: "false"})
    return env


def worker_command(pool: str, limit: int, name: str | None = None) -> list[str]:
    """Prefect's process worker as `fleet_worker` runs it: it takes the next due run as soon as one ends."""
    command = [sys.executable, "-m", WORKER_MODULE, "--pool", pool, "--limit", str(limit)]
    return [*command, "--name", name] if name else command


CRASH_AUTOMATION_NAME = "kpi-warehouse: kørsel uden hjerteslag er crashet"
CRASH_AFTER_SECONDS = 2 * HEARTBEAT_SECONDS


def crash_detection_automation() -> dict:
    """Prefect's recipe for runs whose process died with its worker: no heartbeat (and no final state) within
    CRASH_AFTER_SECONDS after the last one → the run is set to Crashed.

    The window also opens on the run's Running state, which the server itself records: a process killed before its
    first heartbeat reached the server (the events client sends from a queue) would otherwise stay Running for ever,
    holding its deployment's concurrency slot, so no later run of that programme could start."""
    final_events = [f"prefect.flow-run.{state}" for state in ("Completed", "Failed", "Cancelled", "Crashed")]
    return {
        "name": CRASH_AUTOMATION_NAME,
        "description": "Markerer en natkørsel som crashet, når dens proces er død (fx en dræbt arbejder).",
        "enabled": True,
        "trigger": {
            "type": "event", "posture": "Proactive",
            "after": ["prefect.flow-run.heartbeat", "prefect.flow-run.Running"],
            "expect": ["prefect.flow-run.heartbeat", *final_events],
            "match": {"prefect.resource.id": ["prefect.flow-run.*"]},
            "for_each": ["prefect.resource.id"],
            "within": CRASH_AFTER_SECONDS, "threshold": 1,
        },
        "actions": [{"type": "change-flow-run-state", "state": "CRASHED",
                     "message": "Kørslens proces sendte ikke flere hjerteslag (arbejderen blev stoppet eller døde)."}],
    }


def ensure_crash_detection(port: int) -> bool:
    """Create the crash-detection automation on the server, or bring an older one up to date; True when changed."""
    import httpx

    wanted = crash_detection_automation()
    with httpx.Client(base_url=api_url(port), timeout=10) as client:
        found = client.post("/automations/filter", json={"limit": 200, "offset": 0, "sort": "NAME_ASC"})
        found.raise_for_status()
        existing = [a for a in found.json() if a["name"] == CRASH_AUTOMATION_NAME]
        if not existing:
            client.post("/automations/", json=wanted).raise_for_status()
            return True
        if _trigger_key(existing[0]["trigger"]) == _trigger_key(wanted["trigger"]):
            return False
        client.put(f"/automations/{existing[0]['id']}", json=wanted).raise_for_status()
        return True


def _trigger_key(trigger: dict) -> tuple:
    """What decides when the automation fires (the server adds defaults and ids to what was sent)."""
    return (sorted(trigger.get("after", [])), sorted(trigger.get("expect", [])), float(trigger.get("within", 0)),
            trigger.get("posture"))
