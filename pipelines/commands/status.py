"""`kpi status`: freshness, the last run, the schedule and the overdue sources; non-zero exit when stale."""

from __future__ import annotations

from datetime import datetime, timedelta

import typer
from rich.markup import escape
from rich.table import Table

from pipelines.commands.common import WarehouseOption, console
from pipelines.exit_codes import ExitCode
from pipelines.report.vocabulary import AREA_DA
from pipelines.settings import DEFAULT_WAREHOUSE
from pipelines.source_names import source_name_da
from pipelines.vocabulary import words


def age_da(age: timedelta) -> str:
    hours = age.total_seconds() / 3600
    if hours < 1:
        return f"{max(round(hours * 60), 0)} minutter siden"
    if hours < 48:
        return f"{hours:.0f} timer siden"
    return f"{age.days} dage siden"


def _when(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M %Z").strip()


def _schedule_line(report) -> str:
    answer = report.schedule
    if not answer.reachable:
        return (f"Planlægning: ukendt. Ingen Prefect-server svarer på {answer.api_url}, så det kan ikke ses om "
                "en plan er aktiv (start den med 'kpi server').")
    if answer.error:
        return f"Planlægning: ukendt. Prefect-serveren på {answer.api_url} svarede med {answer.error}."
    state = answer.state
    if state is None:
        return "Planlægning: ingen. Prefect-serveren kender ingen natkørsel (start den med 'kpi schedule')."
    if not state.active:
        return "Planlægning: sat på pause (kpi schedule kører ikke; start den igen for at genoptage planen)."
    serving = "kpi schedule kører" if state.serving else "kpi schedule svarer ikke; ingen kørsel vil starte"
    next_run = f"næste kørsel {_when(state.next_run)}" if state.next_run else "ingen kørsel planlagt endnu"
    return f"Planlægning: aktiv, {'; '.join(state.schedules)}; {next_run} ({serving})."


def _print_overdue(overdue) -> None:
    """What suppliers owe: one line per source, by its Danish name."""
    if not overdue:
        console.print("Forsinkede kilder: ingen.")
        return
    table = Table("kilde / leverandør", "forfaldt", "perioder", "huller", "slags",
                  title=f"Forsinkede kilder ({len(overdue)})", title_justify="left")
    kinds = words("gap_type_overdue")
    for source in overdue:
        supplier = f"\n[dim]{escape(source.supplier)}[/dim]" if source.supplier else ""
        table.add_row(escape(source_name_da(source.source_system)) + supplier,
                      f"{source.due_date:%Y-%m-%d}" if source.due_date else "", source.periods_da,
                      str(source.gaps), ", ".join(kinds.get(t, t) for t in source.gap_types))
    console.print(table)


def _print_board(board) -> None:
    """What the board must decide (needs_reading): no supplier can deliver these figures."""
    if not board:
        return
    table = Table(title=f"Kræver bestyrelsens beslutning ({len(board)})", title_justify="left",
                  caption="Ingen leverance kan give tallene, kun en læsning, som bestyrelsen beslutter "
                          "('kpi gaps --supplier bestyrelsen' siger hvilke).", caption_justify="left")
    table.add_column("kriterium / tal og kilde", no_wrap=True)  # the id is what the analyst types next
    table.add_column("perioder")
    for decision in board:
        figure = escape(f"{AREA_DA.get(decision.area_key, decision.area_key)}: "
                        f"{source_name_da(decision.source_system)}")
        table.add_row(f"{decision.criterion_id}\n[dim]{figure}[/dim]", decision.periods_da)
    console.print(table)


def register(app: typer.Typer) -> None:
    @app.command()
    def status(warehouse: WarehouseOption = DEFAULT_WAREHOUSE) -> None:
        """Vis om lageret er friskt, om seneste kørsel fejlede, om natkørslen er planlagt, og hvilke kilder
        der er forsinkede.

        Exitkode 6 når seneste vellykkede publicering er ældre end 36 timer, aldrig er sket, eller filen
        ikke kan læses, så et overvågningssystem kan kalde kommandoen; ellers 0.
        """
        from pipelines.operate.history import outcome_da
        from pipelines.operate.status import MAX_AGE, collect_status
        from pipelines.runtime.places import api_url, prefect_port

        report = collect_status(warehouse, api_url(prefect_port()))
        console.print(f"Lager: {warehouse}")
        if report.published_at is None:
            console.print("[red]Sidst publiceret: aldrig.[/red] Kør 'kpi nightly' eller 'kpi schedule'.")
        else:
            colour = "red" if report.too_old else "green"
            console.print(f"Sidst publiceret: [{colour}]{report.published_at:%Y-%m-%d %H:%M} "
                          f"({age_da(report.age)})[/{colour}] (ifølge {report.published_from}).")
        run = report.last_run
        if run is None:
            console.print("Seneste kørsel: ingen registreret.")
        elif report.running is not None:
            console.print(f"Seneste kørsel: [yellow]i gang nu[/yellow] ({report.running.describe_da()}).")
        elif run.finished_at is None:
            still = "; det tidligere lager er stadig publiceret" if report.published_at else ""
            console.print(f"Seneste kørsel: {run.started_at:%Y-%m-%d %H:%M}, [red]afbrudt[/red] før den blev "
                          f"færdig (fx kill -9 eller strømsvigt){still}.")
        else:
            colour = "red" if report.last_run_failed else "green"
            message = f": {run.message}" if run.message else ""
            console.print(f"Seneste kørsel: {run.started_at:%Y-%m-%d %H:%M}, "
                          f"[{colour}]{outcome_da(run.outcome)}[/{colour}]{message}")
        console.print(_schedule_line(report))
        if report.set_aside:
            console.print(f"[yellow]Lagt til side som beskadiget ({len(report.set_aside)}):[/yellow] "
                          + ", ".join(str(p) for p in report.set_aside)
                          + ". Lageret har genopbygget dem; slet dem, når de er undersøgt (docs/operations.md).",
                          highlight=False)
        if report.unreadable:
            console.print(f"[red]Lageret kan ikke læses:[/red] {report.unreadable}")
        else:
            _print_overdue(report.overdue)
            _print_board(report.board)
        hours = MAX_AGE.total_seconds() / 3600
        if report.unreadable:
            console.print("[red]Status: FEJL. Den publicerede fil kan ikke åbnes.[/red]")
            raise typer.Exit(ExitCode.STALE)
        if report.too_old:
            console.print(f"[red]Status: FORÆLDET. Seneste vellykkede publicering er ældre end {hours:.0f} "
                          "timer.[/red]")
            raise typer.Exit(ExitCode.STALE)
        console.print(f"Status: OK. Publiceret inden for de seneste {hours:.0f} timer.")
