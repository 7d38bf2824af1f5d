"""The worker `kpi worker` runs: Prefect's process worker, asking for the next due run as soon as one ends.

Prefect's worker asks the server for due runs on a fixed loop (every `PREFECT_WORKER_QUERY_SECONDS`, 10 s by
default) and takes as many as its free slots allow. A worker with `--limit 1` whose run has ended therefore waits
for that loop before it takes the next due run, however many are waiting. On a night with nothing new a run takes
~2,2 s from submission to its slot's release, and a worker on a 2 s loop then waited for the loop's next turn (1,6 s
in the cycle traced): 3,5 s per run on average (worker log at DEBUG, ten programmes; NOTES.md, seventh session); on
Prefect's default loop it would wait up to 10 s per run. This worker asks again the moment a run of its own ends and
frees a slot. Everything else (the loop, the pool, the runs' processes, cancellation, crash handling) is Prefect's
`ProcessWorker`, through its public surface: `run` (the one method a worker type implements), `limiter` and
`get_and_submit_flow_runs`.

A run that another worker has taken by then is not submitted twice: the server accepts only one worker's Pending
proposal, as it does between two workers' ordinary loops.

`python -m pipelines.operate.fleet_worker --pool NAME --limit N [--name NAME]` is what `kpi worker` runs (it
sets the environment first); it stops on SIGINT or SIGTERM as `prefect worker start` does.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import warnings
from uuid import UUID

from anyio.abc import TaskStatus
from prefect.client.schemas.objects import FlowRun
from prefect.logging import get_logger
from prefect.utilities.processutils import setup_signal_handlers_worker
from prefect.workers.process import ProcessJobConfiguration, ProcessWorker, ProcessWorkerResult

from pipelines import prefect_runtime
from pipelines.operate.watch import seconds_da

logger = get_logger("prefect.workers.process.prompt")

# Keeping the type "process" replaces Prefect's own class for that type in this process's registry, and Prefect
# warns that it does: the pool is a process pool, and this is the only worker this process runs.
warnings.filterwarnings("ignore", message=r"Type 'PromptProcessWorker' .* has key 'process'", category=UserWarning)


class PromptProcessWorker(ProcessWorker):
    """A process worker that takes the next due run when one of its own ends, not only on its loop."""

    type = prefect_runtime.PROCESS_WORKER_TYPE

    async def run(self, flow_run: FlowRun, configuration: ProcessJobConfiguration,
                  task_status: TaskStatus[int] | None = None) -> ProcessWorkerResult:
        started = time.monotonic()
        say(f"{_run_named(flow_run)} startet.")
        ended = "afbrudt, da arbejderen stoppede"
        try:
            result = await super().run(flow_run=flow_run, configuration=configuration, task_status=task_status)
            ended = "færdig" if result.status_code == 0 else (f"sluttede med exitkode {result.status_code}; se "
                                                              "kørslen i Prefect")
            return result
        except Exception:
            ended = "fejlede i arbejderen; se dens log"
            raise
        finally:
            say(f"{_run_named(flow_run)} {ended} ({seconds_da(time.monotonic() - started)}).")
            await self._take_next_due_run(flow_run.id)

    async def _take_next_due_run(self, ended_run: UUID) -> None:
        """Free the ended run's slot (its process has exited; Prefect's own release after this finds it free
        and says so at DEBUG), then ask for due runs at once. A failure here is left to the loop."""
        try:
            self.limiter.release_on_behalf_of(ended_run)
        except RuntimeError:  # no limit, or the slot was not held on the run's behalf: the loop will do
            return
        try:
            await self.get_and_submit_flow_runs()
        except Exception as exc:  # the loop asks again, and reports what fails there
            logger.debug("Asking for the next due run right after a run failed: %s", exc)


def _run_named(flow_run: FlowRun) -> str:
    """How the worker names a run to its reader: the programme (the deployment's plan_id) and Prefect's name."""
    programme = (flow_run.parameters or {}).get("plan_id")
    return f"Program {programme}: kørsel '{flow_run.name}'" if programme else f"Kørsel '{flow_run.name}'"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.operate.fleet_worker",
        description="Prefects process-arbejder, der henter den næste forfaldne kørsel, så snart en af dens egne "
                    "slutter (kpi worker kører den).")
    parser.add_argument("--pool", required=True, help="work pool'en")
    parser.add_argument("--limit", type=int, required=True, help="højst så mange kørsler ad gangen")
    parser.add_argument("--name", help="arbejderens navn i Prefect")
    return parser.parse_args(argv)


def say(*args: object) -> None:
    """What the worker and its signal handlers print, at once (the output is a log file or a journal)."""
    print(*args, flush=True)


async def serve(pool: str, limit: int, name: str | None) -> None:
    worker = PromptProcessWorker(work_pool_name=pool, limit=limit, name=name)
    await worker.start(printer=say)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # as `prefect worker start`: the first SIGINT or SIGTERM stops taking runs, a second one kills
    setup_signal_handlers_worker(os.getpid(), "the process worker", say)
    try:
        asyncio.run(serve(args.pool, args.limit, args.name))
    except (KeyboardInterrupt, asyncio.CancelledError):
        say("Arbejderen er stoppet.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
