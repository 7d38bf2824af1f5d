"""`kpi programme new`: scaffold a new helhedsplan (catalog workbook, reference files, inboxes, programmes.toml)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipelines.commands.common import console, err_console
from pipelines.exit_codes import ExitCode

programme_app = typer.Typer(help="Helhedsplaner (programmer): opret et nyt.", no_args_is_help=True,
                            add_completion=False)


@programme_app.command("new")
def new(
    plan_id: Annotated[str, typer.Argument(help="Programmets korte navn (små bogstaver, tal og _), fx 'holbaek'.")],
    name: Annotated[str | None, typer.Option("--name", help="Programmets fulde navn (til rapporten).")] = None,
    municipality: Annotated[str | None, typer.Option("--municipality", help="Kommunen.")] = None,
    folder: Annotated[Path | None, typer.Option(
        "--dir", help="Programmets mappe (standard: sources/programmes/PLAN_ID ved siden af programfilen).")] = None,
    programmes: Annotated[Path | None, typer.Option(
        "--programmes", help="Programfilen der får en linje mere (standard: sources/programmes.toml).")] = None,
    warehouse: Annotated[Path | None, typer.Option("--warehouse", help="Programmets lager (DuckDB-fil).")] = None,
) -> None:
    """Opret et nyt program: katalog-projektmappen, referencefilerne der skal udfyldes, en inbox-mappe pr.
    kildesystem og programmets linje i programfilen (tilføjes; et eksisterende plan_id afvises).

    Derefter: udfyld katalog.xlsx, kør 'kpi catalog check', 'kpi catalog import katalog.xlsx --out
    MAPPE/reference', udfyld referencefilerne, læg leverancer i inbox/, og kør 'kpi nightly --programmes'.
    Se docs/ny_helhedsplan.md.
    """
    from pipelines.catalog_workbook.scaffold import PROJECT_PROGRAMMES, ScaffoldError, new_programme

    try:
        made = new_programme(plan_id, name, folder, programmes or PROJECT_PROGRAMMES, warehouse, municipality)
    except ScaffoldError as exc:
        err_console.print(f"[red]{exc}[/red]", highlight=False)
        raise typer.Exit(ExitCode.FAILED) from None
    console.print(f"Program '{made.plan_id}' oprettet i {made.folder}:\n"
                  f"  {made.workbook.name}: udfyld kataloget, og kør 'kpi catalog check {made.workbook}'\n"
                  f"  reference/: områdernes adresser, aliaser, afdelinger og leverancekalenderen\n"
                  f"  inbox/: {len(made.inboxes)} mapper, én pr. kildesystem\n"
                  f"  {made.programmes_file}: en linje mere", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(programme_app, name="programme")
