"""`kpi watch`: watch the drop folders and run the nightly as soon as a delivered file has stopped growing."""

from __future__ import annotations

import signal
import threading
from datetime import datetime
from typing import Annotated

import typer

from pipelines.commands.common import SourcesOption, WarehouseOption, console, err_console
from pipelines.exit_codes import ExitCode
from pipelines.settings import DEFAULT_SOURCES, DEFAULT_WAREHOUSE, uses_temporary_prefect_server


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

    Efter hver kørsel vises, hvad der blev indlæst, hvad der blev afvist og hvorfor, og hvor mange
    statusser der skiftede. En fil, hvis indhold allerede har været kørt, køres ikke igen, før den ændres.

    Med PREFECT_API_URL sat (kpi server) ses kørslerne i Prefects brugerflade. Stop med Ctrl-C eller
    SIGTERM; en kørsel i gang afbrydes, og det tidligere lager forbliver publiceret.
    """
    from pipelines.flows.deployment import adopt_orphans, stop_leftovers
    from pipelines.operate.watch import Watcher, serve, watched_dirs
    from pipelines.privacy.cpr import MissingKeyError, load_key

    sources, warehouse = sources.resolve(), warehouse.resolve()
    try:
        load_key()
    except MissingKeyError as exc:
        err_console.print(f"[red]Overvågningen er ikke startet.[/red] {exc}", highlight=False)
        raise typer.Exit(ExitCode.FAILED) from None
    folders = watched_dirs(sources)
    if not folders:
        err_console.print(f"[red]Overvågningen er ikke startet:[/red] {sources / 'inbox'} findes ikke.",
                          highlight=False)
        raise typer.Exit(ExitCode.FAILED)
    stop = threading.Event()
    _stop_on_signals(stop)
    adopt_orphans()
    server = "Prefects midlertidige server pr. kørsel" if uses_temporary_prefect_server() else "Prefect-serveren"
    _say(f"Overvåger {', '.join(str(f) for f in folders)} → {warehouse} (kørslerne i {server}). "
         "Stop med Ctrl-C.")
    try:
        serve(Watcher(sources, warehouse, stop, _say, as_of=as_of))
    finally:
        stop_leftovers()
    _say("Overvågningen er stoppet.")


def register(app: typer.Typer) -> None:
    app.command("watch")(watch)
