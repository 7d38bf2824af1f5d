"""`kpi schedule`: the nightly flow as a Prefect deployment, served against the local Prefect server.

Prefect's Runner (the machinery of `prefect.serve`) polls the server and runs each scheduled run of the
deployment in a subprocess; the run lock inside `nightly_flow` keeps one run per warehouse at a time.

Stopping: SIGINT ends the Runner cleanly (it pauses the schedule on the server and exits), and so does
SIGTERM (systemd's stop), which our Runner turns into SIGINT (pipelines/prefect_runtime.make_runner). A run cut
short by the stop may leave a grandchild (dbt) behind its dead parent; we are the subreaper of our
descendants and stop whatever is left, so no process outlives `kpi schedule`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipelines import prefect_runtime
from pipelines.operate.prefect_api import DEPLOYMENT_NAME
from pipelines.operate.subreaper import adopt_orphans
from pipelines.publish.programmes import DEFAULT_CRON, DEFAULT_TIMEZONE
from pipelines.runtime.places import api_url, prefect_home


class ScheduleError(ValueError):
    """A schedule the analyst gave that Prefect cannot use; the message is Danish."""


@dataclass(frozen=True)
class SchedulePlan:
    sources_dir: Path
    warehouse: Path
    cron: str = DEFAULT_CRON
    timezone: str = DEFAULT_TIMEZONE
    port: int = 4200
    first_run_in_seconds: float | None = None  # tests: one run a few seconds ahead instead of the cron

    @property
    def parameters(self) -> dict[str, str | None]:
        return {"sources_dir": str(self.sources_dir.resolve()), "warehouse": str(self.warehouse.resolve()),
                "as_of": None}


def client_env(port: int) -> dict[str, str]:
    """What a client of the local server needs: the server's API and the same PREFECT_HOME."""
    return {prefect_runtime.API_URL: api_url(port), prefect_runtime.HOME: str(prefect_home())}


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"Ukendt tidszone '{name}'; forventet et IANA-navn som Europe/Copenhagen.") from None
    return name


def prefect_schedule(plan: SchedulePlan):
    """The Prefect schedule object of the plan; a bad cron expression raises ScheduleError."""
    from prefect.schedules import Cron, Interval

    zone = check_timezone(plan.timezone)
    if plan.first_run_in_seconds is not None:
        anchor = datetime.now(UTC) + timedelta(seconds=plan.first_run_in_seconds)
        return Interval(timedelta(days=1), anchor_date=anchor, timezone=zone)
    try:
        return Cron(plan.cron, timezone=zone)
    except ValueError as exc:
        raise ScheduleError(f"Ugyldigt cron-udtryk '{plan.cron}'; forventet fem gyldige felter "
                            "(minut time dag måned ugedag), fx \"0 2 * * *\".") from exc


LEFTOVER_GRACE_SECONDS = 20


def stop_leftovers() -> None:
    """Terminate (then kill) every process still below us once the Runner has stopped."""
    import psutil

    children = psutil.Process().children(recursive=True)
    for child in children:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.terminate()
    _, alive = psutil.wait_procs(children, timeout=LEFTOVER_GRACE_SECONDS)
    for child in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()


def serve_nightly(plan: SchedulePlan, on_ready=None) -> None:
    """Register the deployment and serve it until SIGINT or SIGTERM. Blocks."""
    os.environ.update(client_env(plan.port))
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from prefect.types.entrypoint import EntrypointType

    from pipelines.flows.nightly import nightly_flow

    schedule = prefect_schedule(plan)  # after the slow imports, so that a first run "in N seconds" is N from now

    deployment = nightly_flow.to_deployment(
        name=DEPLOYMENT_NAME,
        schedules=[schedule],
        parameters=plan.parameters,
        description="Natkørslen af kpi-warehouse (kpi schedule).",
        tags=["kpi-warehouse"],
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    runner = prefect_runtime.make_runner(limit=1)
    with temporary_settings(updates={PREFECT_API_URL: api_url(plan.port)}):
        runner.add_deployment(deployment)
        if on_ready is not None:
            on_ready()
        # A process started in the background by a shell inherits SIGINT as ignored; take it back, so that
        # asyncio's KeyboardInterrupt path (and our SIGTERM, which raises SIGINT) always stops the Runner.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        adopt_orphans()
        try:
            with contextlib.suppress(KeyboardInterrupt):
                asyncio.run(runner.start())
        finally:
            stop_leftovers()
