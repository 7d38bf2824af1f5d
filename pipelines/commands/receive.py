"""`kpi receive`: file deliveries that arrived under any name into the inbox, by their content."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from pipelines.commands.common import SourcesOption, console, err_console
from pipelines.exit_codes import ExitCode
from pipelines.settings import DEFAULT_SOURCES, INBOX_DIR_NAME


def receive(
    files: Annotated[list[Path], typer.Argument(help="Filerne (eller mapperne) der skal modtages, fx vedhæftede filer.",
                                                show_default=False)],
    sources: SourcesOption = DEFAULT_SOURCES,
    system: Annotated[str | None, typer.Option(
        "--system", help="Kildesystemet, når indholdet ikke afgør det (fx police_haervaerk).")] = None,
    period: Annotated[str | None, typer.Option(
        "--period", help="Perioden, når indholdet ikke afgør den: 2018, 2018Q3, 2018-19 eller 2016-2025.")] = None,
    delivered: Annotated[str | None, typer.Option(
        "--delivered", help="Leveringsdato ÅÅÅÅ-MM-DD (standard: i dag).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Vis kun, hvad der ville ske; intet kopieres.")] = False,
) -> None:
    """Læg leverancer i indbakken under deres kontraktnavn ud fra indholdet, ikke filnavnet.

    Kilden læses af overskrift, ark og kendte værdier, perioden af selve data (en periodekolonne, rækkernes datoer
    eller en titel som '1. kvartal 2018'). Originalen ændres aldrig, og intet i indbakken overskrives. Passer
    flere kilder eller ingen, eller kan perioden ikke læses, sker der intet, og det forklares hvorfor.
    """
    from pipelines.receive.filing import Outcome, receive_file
    from pipelines.receive.forms import all_forms
    from pipelines.receive.periods import token_from_option
    from pipelines.reference.resolution import CRITERIA_FILE, ReferenceProblem, resolve_reference

    token = None
    if period is not None and (token := token_from_option(period)) is None:
        err_console.print(f"Ugyldig periode '{period}': brug 2018, 2018Q3, 2018-19 eller 2016-2025.", highlight=False)
        raise typer.Exit(ExitCode.USAGE)
    try:
        day = date.fromisoformat(delivered) if delivered else date.today()
    except ValueError:
        err_console.print(f"Ugyldig leveringsdato '{delivered}': brug ÅÅÅÅ-MM-DD.", highlight=False)
        raise typer.Exit(ExitCode.USAGE) from None
    try:
        catalog = resolve_reference(sources).files[CRITERIA_FILE]
    except ReferenceProblem as problem:
        err_console.print(problem.message, highlight=False)
        raise typer.Exit(ExitCode.FAILED) from None
    forms = all_forms(catalog)
    waiting = 0
    for path in _expanded(files):
        if not path.is_file():
            from pipelines.delivery.discover import shown_name

            err_console.print(f"{shown_name(path)}: filen findes ikke", highlight=False)
            waiting += 1
            continue
        receipt = receive_file(path, sources / INBOX_DIR_NAME, catalog, system=system, period=token, delivered=day,
                               dry_run=dry_run, forms=forms)
        waiting += receipt.outcome is Outcome.WAITING
        for line in receipt.lines_da():
            console.print(line, highlight=False, markup=False, soft_wrap=True)
    if waiting:
        raise typer.Exit(ExitCode.FAILED)


def _expanded(paths: list[Path]) -> list[Path]:
    """The files given, a folder standing for the files directly in it (hidden and `~$` lock files left out)."""
    out = []
    for path in paths:
        if path.is_dir():
            out += [p for p in sorted(path.iterdir()) if p.is_file() and not p.name.startswith((".", "~$"))]
        else:
            out.append(path)
    return out


def register(app: typer.Typer) -> None:
    app.command("receive")(receive)
