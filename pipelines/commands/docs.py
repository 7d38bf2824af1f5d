"""`kpi docs [--out FILE]`: the dbt documentation, with the Danish definitions, as one offline HTML file."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from pipelines.commands.common import WarehouseOption, console, err_console
from pipelines.exit_codes import ExitCode
from pipelines.settings import DEFAULT_SOURCES, DEFAULT_WAREHOUSE, REPO_ROOT, RunConfig

DEFAULT_DOCS_PAGE = REPO_ROOT / "reports" / "dbt_dokumentation.html"


def docs_command(
    out: Annotated[Path, typer.Option("--out", help="HTML-filen, der skrives.")] = DEFAULT_DOCS_PAGE,
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
) -> None:
    """Byg dbt-dokumentationen som én statisk HTML-fil, der kan åbnes uden netforbindelse.

    Siden viser alle modeller med korn, kolonner og afstamning og de danske definitioner af statusser,
    mangeltyper, vurderingsreglerne 1-8 og nøglekolonnerne. Den bygges fra en midlertidig kopi af det
    interne lager (lageret selv ændres ikke); findes det ikke endnu, bygges den uden kolonnetyper.
    """
    from pipelines.transform.dbt_docs import DocsError, build_docs, external_references

    internal = RunConfig(DEFAULT_SOURCES, warehouse, date.today()).internal_warehouse
    if not internal.is_file():
        console.print(f"Det interne lager {internal} findes ikke endnu; dokumentationen bygges uden kolonnetyper.")
    try:
        built = build_docs(internal, out.resolve())
    except DocsError as error:
        err_console.print(f"[red]Dokumentationen kunne ikke bygges: {error}[/red] Se dbt's udskrift i {error.log}.")
        raise typer.Exit(ExitCode.FAILED) from None
    remote = external_references(built.page.read_text(encoding="utf-8"))
    if remote:
        err_console.print(f"[yellow]Advarsel:[/yellow] siden henter {len(remote)} ting fra nettet.")
    console.print(f"Dokumentation skrevet: {built.page}")


def register(app: typer.Typer) -> None:
    app.command("docs")(docs_command)
