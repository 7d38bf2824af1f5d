"""`kpi check-contract WAREHOUSE`: does a published file keep the warehouse contract (docs/warehouse_contract.md)?"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipelines.commands.common import console, open_published
from pipelines.exit_codes import ExitCode
from pipelines.publish.contract_audit import DEFAULT_CATALOG, check_contract


def check_contract_command(
    warehouse: Annotated[Path, typer.Argument(metavar="LAGERFIL",
                                              help="Den publicerede DuckDB-fil, der skal kontrolleres.")],
    criteria: Annotated[Path, typer.Option("--criteria", help="Kriteriekataloget (criteria.yaml).")] = DEFAULT_CATALOG,
) -> None:
    """Kontrollér en publiceret lagerfil mod lagerkontrakten (version 2).

    Tjekker tabeller og kolonner, statusværdier, mangeltyper, områdenøgler, periodeformater, at hvert
    kriterium med en datakilde har rækker i kpi_status, og at ingen tekstkolonne rummer et CPR-nummer.
    Exitkoder: 0 filen holder kontrakten; 1 et eller flere tjek fejlede; 4 filen findes ikke.
    """
    with open_published(warehouse) as con:
        report = check_contract(con, criteria)
    for problem in report.problems:
        console.print(f"[red]FEJL:[/red] {problem.message}", highlight=False)
    console.print(report.summary())
    raise typer.Exit(ExitCode.OK if report.ok else ExitCode.CONTRACT_BROKEN)


def register(app: typer.Typer) -> None:
    app.command("check-contract")(check_contract_command)
