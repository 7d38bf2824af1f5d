"""`kpi schedule`: register the nightly flow as a Prefect deployment and serve it until stopped."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipelines.commands.common import SourcesOption, WarehouseOption, console, err_console
from pipelines.exit_codes import ExitCode
from pipelines.settings import DEFAULT_SOURCES, DEFAULT_WAREHOUSE

CronOption = Annotated[str, typer.Option("--cron", help="Hvornår natkørslen kører (cron, fem felter).")]
TimezoneOption = Annotated[str, typer.Option("--timezone", help="Tidszonen cron-udtrykket gælder i.")]
PortOption = Annotated[int | None, typer.Option(
    "--port", help="Prefect-serverens port på 127.0.0.1 (standard: $KPI_PREFECT_PORT eller 4200).")]
WaitOption = Annotated[float, typer.Option(
    "--wait-for-server", help="Sekunder der ventes på at Prefect-serveren svarer.")]
FirstRunOption = Annotated[float | None, typer.Option(
    "--first-run-in", hidden=True, min=10,
    help="Til test: én kørsel om så mange sekunder (mindst 10: serverens planlægger ser nye planer hvert 5. "
         "sekund), derefter dagligt.")]


def _register_programmes(programmes_file: Path, pool: str, port: int, wait_for_server: float) -> None:
    from pipelines.flows.deployment import ScheduleError
    from pipelines.flows.fleet import check_schedules, register_programmes
    from pipelines.operate.prefect_api import wait_until_healthy
    from pipelines.publish.programmes import ProgrammesError, read_programmes
    from pipelines.runtime.places import api_url, ui_url

    try:
        listed = read_programmes(programmes_file)
        check_schedules(listed)
    except (ProgrammesError, ScheduleError) as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(ExitCode.USAGE) from None
    if not wait_until_healthy(api_url(port), wait_for_server):
        err_console.print(f"[red]Prefect-serveren på {api_url(port)} svarer ikke.[/red] "
                          "Start den med 'kpi server' (eller tjenesten kpi-prefect-server).")
        raise typer.Exit(ExitCode.FAILED)
    for done in register_programmes(listed, pool, port):
        console.print(f"{done.plan_id}: deployment {done.deployment} på pool '{pool}', {done.schedule}")
    console.print(f"Start en eller flere arbejdere med 'kpi worker --pool {pool}'. Kørslerne ses på "
                  f"{ui_url(port)}/runs.")


def register(app: typer.Typer) -> None:
    from pipelines.publish.programmes import DEFAULT_CRON, DEFAULT_TIMEZONE  # light; flows.deployment is not

    @app.command()
    def schedule(
        cron: CronOption = DEFAULT_CRON,
        timezone: TimezoneOption = DEFAULT_TIMEZONE,
        sources: SourcesOption = DEFAULT_SOURCES,
        warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
        port: PortOption = None,
        wait_for_server: WaitOption = 120.0,
        first_run_in: FirstRunOption = None,
        programmes: Annotated[Path | None, typer.Option(
            "--programmes", help="Registrér i stedet hvert program i denne fil (programmes.toml) som sin egen "
                                 "deployment på en work pool; 'kpi worker' kører dem.")] = None,
        pool: Annotated[str, typer.Option("--pool", help="Med --programmes: work pool'ens navn.")] = "kpi-warehouse",
    ) -> None:
        """Planlæg natkørslen: registrér den som Prefect-deployment og kør den efter planen, til den stoppes.

        Kræver at 'kpi server' kører. Stop med Ctrl-C eller SIGTERM (systemd); planen sættes da på pause.
        Kun én kørsel pr. lager ad gangen (låsen i natkørslen). Med --programmes registreres hvert program
        (egen cron og tidszone fra programfilen) på en work pool og kommandoen slutter; 'kpi worker' (på en
        eller flere maskiner) kører kørslerne.
        """
        from pipelines.flows.deployment import ScheduleError, SchedulePlan, prefect_schedule, serve_nightly
        from pipelines.operate.prefect_api import wait_until_healthy
        from pipelines.privacy.cpr import ensure_key_file
        from pipelines.runtime.places import api_url, prefect_port, ui_url

        port = port or prefect_port()
        if programmes is not None:
            _register_programmes(programmes, pool, port, wait_for_server)
            return
        plan = SchedulePlan(sources.resolve(), warehouse.resolve(), cron, timezone, port, first_run_in)
        try:
            prefect_schedule(plan)
        except ScheduleError as exc:
            err_console.print(f"[red]{exc}[/red]")
            raise typer.Exit(ExitCode.USAGE) from None
        if not wait_until_healthy(api_url(port), wait_for_server):
            err_console.print(f"[red]Prefect-serveren på {api_url(port)} svarer ikke.[/red] "
                              "Start den med 'kpi server' (eller tjenesten kpi-prefect-server).")
            raise typer.Exit(ExitCode.FAILED)
        ensure_key_file()
        when = f"om {first_run_in:g} sekunder" if first_run_in is not None else f"'{cron}' ({timezone})"
        serve_nightly(plan, on_ready=lambda: console.print(
            f"Natkørslen er planlagt {when}: {plan.sources_dir} → {plan.warehouse}. "
            f"Se kørslerne på {ui_url(port)}/runs. Stop med Ctrl-C."))
        console.print("Planlægningen er stoppet; planen står på pause på Prefect-serveren.")
