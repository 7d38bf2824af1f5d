"""`kpi worker`: a Prefect process worker on the programmes' work pool (`kpi schedule --programmes`)."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer

from pipelines import prefect_runtime
from pipelines.commands.common import console


def worker(
    pool: Annotated[str, typer.Option("--pool", help="Work pool'en, som 'kpi schedule --programmes' registrerede "
                                                    "programmerne på.")] = "kpi-warehouse",
    limit: Annotated[int, typer.Option("--limit", min=1, help="Højst så mange kørsler ad gangen på denne "
                                                              "maskine (standard 1; én pr. kerne er et godt loft).")]
    = 1,
    name: Annotated[str | None, typer.Option("--name", help="Arbejderens navn i Prefect (standard: et "
                                                            "tilfældigt).")] = None,
    port: Annotated[int | None, typer.Option(
        "--port", help="Prefect-serverens port på 127.0.0.1 (standard: $KPI_PREFECT_PORT eller 4200); en anden "
                       "maskines server angives med PREFECT_API_URL.")] = None,
    warm: Annotated[bool, typer.Option(
        "--warm/--cold", help="Start hver kørsel fra en varm proces, der har indlæst Prefect, polars, DuckDB og "
                              "GX på forhånd (standard), eller som en helt ny proces (--cold), som Prefect selv "
                              "gør.")] = True,
) -> None:
    """Start en arbejder, der henter programmernes natkørsler fra work pool'en og kører dem.

    Vilkårligt mange arbejdere på vilkårligt mange maskiner kan dele én pool; hver henter den næste kørsel,
    der er forfalden. Stop med Ctrl-C eller SIGTERM (systemd). Kan serveren ikke nås, prøver arbejderen igen.
    """
    from pipelines.flows.fleet import worker_command, worker_env
    from pipelines.operate.warm_flow_runs import SOCKET_ENV, start_beside_worker
    from pipelines.privacy.cpr import ensure_key_file
    from pipelines.runtime.places import prefect_port

    env = worker_env(port or prefect_port())
    if os.environ.get(prefect_runtime.API_URL) and port is None:
        env[prefect_runtime.API_URL] = os.environ[prefect_runtime.API_URL]
    ensure_key_file()
    command = worker_command(pool, limit, name)
    console.print(f"Arbejderen starter på pool '{pool}' (højst {limit} kørsel(er) ad gangen) mod "
                  f"{env[prefect_runtime.API_URL]}{', med varme kørsler' if warm else ''}. Stop med Ctrl-C.")
    # the deployments' command (kpi-flow-run) is this installation's, on every machine
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", os.defpath)])
    env.pop(SOCKET_ENV, None)
    if warm:
        env[SOCKET_ENV] = start_beside_worker()  # the worker exec'd below is its parent: it dies with it
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # a shell's background job ignores SIGINT; exec would keep that
    os.execve(command[0], command, env)


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
