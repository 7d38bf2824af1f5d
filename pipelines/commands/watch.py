"""`kpi watch`: watch the drop folders and run the nightly as soon as a delivered file has stopped growing."""

from __future__ import annotations

import signal
import threading
from datetime import datetime
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from pipelines.commands.common import SourcesOption, WarehouseOption, console, err_console
from pipelines.exit_codes import ExitCode
from pipelines.settings import (
    DEFAULT_SOURCES,
    DEFAULT_WAREHOUSE,
    prefect_home_problem,
    uses_temporary_prefect_server,
)


def _say(line: str) -> None:
    console.print(f"[dim]{datetime.now():%H:%M:%S}[/dim] {line}", highlight=False, soft_wrap=True)


def _stop_on_signals(stop: threading.Event) -> None:
    """SIGINT (Ctrl-C) and SIGTERM (systemd) both set `stop`: the watcher ends a run in progress and exits."""
    def handler(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


AsOfOption = Annotated[str | None, typer.Option("--as-of", hidden=True,
                                                 help="Til test: vurderingsdato for hver kørsel.")]


def watch(sources: SourcesOption = DEFAULT_SOURCES, warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
          as_of: AsOfOption = None) -> None:
    """Overvåg SOURCES/inbox/ (og SOURCES/modtaget/): kør natkørslen, så snart en ny fil er færdigskrevet.

    En fil regnes for færdig, når dens størrelse og ændringstid har stået stille i lidt over et sekund.
    Én kørsel ad gangen (lagerets lås); filer, der kommer under en kørsel, tages med i den næste.

    Hver kørsel er sin egen proces, startet i forvejen og klar, så kørslen ikke venter på at starte.
    Når lageret er publiceret, siges det med det samme; bestyrelsesrapporten følger. Efter hver kørsel
    vises, hvad der blev indlæst, hvad der blev afvist og hvorfor, og hvor mange statusser der skiftede.
    En fil, hvis indhold allerede har været kørt, køres ikke igen, før den ændres.

    Med PREFECT_API_URL sat (kpi server) ses kørslerne i Prefects brugerflade; ellers starter overvågningen
    én midlertidig Prefect-server, som alle dens kørsler bruger. Stop med Ctrl-C eller SIGTERM; en kørsel
    i gang afbrydes: før sin publicering lader den det tidligere lager stå, efter den siger den, at det nye
    er publiceret. Ingen proces bliver tilbage.
    """
    from pipelines.privacy.cpr import MissingKeyError, load_key

    sources, warehouse = sources.resolve(), warehouse.resolve()
    try:
        load_key()
    except MissingKeyError as exc:
        _refuse(str(exc))
    if not (folders := _drop_folders(sources)):
        _refuse(f"{sources / 'inbox'} findes ikke.")
    if uses_temporary_prefect_server() and (problem := prefect_home_problem()):
        _refuse(f"{problem} Sæt PREFECT_HOME til en mappe, du kan skrive i.")
    stop = threading.Event()
    _stop_on_signals(stop)
    _serve(sources, warehouse, folders, stop, as_of)
    _say("Overvågningen er stoppet.")


def _refuse(reason: str) -> NoReturn:
    err_console.print(f"[red]Overvågningen er ikke startet:[/red] {reason}", highlight=False)
    raise typer.Exit(ExitCode.FAILED)


def _drop_folders(sources: Path) -> list[Path]:
    from pipelines.operate.watch import watched_dirs

    return watched_dirs(sources)


def _serve(sources: Path, warehouse: Path, folders: list[Path], stop: threading.Event, as_of: str | None) -> None:
    """Watch until `stop`: one Prefect server and one spare run process at a time, all ended on leaving."""
    from functools import partial

    from pipelines.flows.deployment import stop_leftovers
    from pipelines.operate.run_logging import new_log_file, route_logs
    from pipelines.operate.subreaper import adopt_orphans, reap_adopted
    from pipelines.operate.warm_server import watch_server
    from pipelines.operate.warm_spare import WARM_UP_LOG_NAME, WarmRunner, spare_command
    from pipelines.operate.watch import Watcher, serve

    log_dir = warehouse.parent / "logs"
    log_file = new_log_file(log_dir, "watch")
    route_logs(log_file, verbose=False)  # the watcher's own log and its server's output; the terminal stays ours
    adopt_orphans()
    runner = WarmRunner(warm_up_log=log_dir / WARM_UP_LOG_NAME,
                        command=partial(spare_command, warehouse=warehouse))
    try:
        with watch_server(stop, log_file) as server:
            runner.keep_ready()  # after the server's URL is in the environment: the spare inherits it
            watcher = Watcher(sources, warehouse, stop, _say, runner=runner, as_of=as_of, before_run=server.before_run,
                              idle=runner.keep_ready, after_run=lambda: reap_adopted(runner.pids() | server.pids()))
            serve(watcher, on_ready=lambda: _say(  # once the folders are watched: a file dropped after it is seen
                f"Overvåger {', '.join(str(f) for f in folders)} → {warehouse} (kørslerne i "
                f"{server.description_da()}). Stop med Ctrl-C."))
    finally:
        runner.close()
        stop_leftovers()


def register(app: typer.Typer) -> None:
    app.command("watch")(watch)
