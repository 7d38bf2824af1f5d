"""`kpi criteria`: every criterion with its latest status, or one criterion explained (rule, baseline, series)."""

from __future__ import annotations

from typing import Annotated

import typer

from pipelines.commands.common import WarehouseOption, console, err_console, open_published
from pipelines.exit_codes import ExitCode
from pipelines.settings import DEFAULT_WAREHOUSE


def criteria(
    criterion_id: Annotated[str | None, typer.Argument(help="Et kriterie-id; uden id vises alle kriterier.")] = None,
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
) -> None:
    """Vis alle kriterier med seneste status, eller forklar ét kriterium: regel, baseline, serie og status."""
    from pipelines.report.explain import criteria_overview, explain_criterion

    con = open_published(warehouse)
    if criterion_id is None:
        console.print(criteria_overview(con))
        return
    try:
        console.print(explain_criterion(con, criterion_id), highlight=False)
    except KeyError:
        err_console.print(f"[red]Ukendt kriterium: {criterion_id}[/red] (se 'kpi criteria' for listen)")
        raise typer.Exit(ExitCode.USAGE) from None


def register(app: typer.Typer) -> None:
    app.command()(criteria)
