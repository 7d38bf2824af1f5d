"""`kpi report`: the board report in HTML, XLSX and PDF from the published warehouse."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from pipelines.commands.common import WarehouseOption, console, err_console, open_published
from pipelines.exit_codes import ExitCode
from pipelines.settings import DEFAULT_WAREHOUSE


def parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        err_console.print(f"[red]{option}: '{value}' er ikke en dato; forventet ÅÅÅÅ-MM-DD, fx 2026-11-23.[/red]")
        raise typer.Exit(ExitCode.USAGE) from None


def report(
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    out: Annotated[Path, typer.Option("--out", help="Mappen, hvor kpi_rapport.html, .xlsx og .pdf skrives.")] = Path(
        "reports"),
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Vis status, som den stod ved udgangen af denne dag (ÅÅÅÅ-MM-DD; standard: nu).")] = None,
    since: Annotated[str | None, typer.Option(
        "--since", help="Vis ændringer fra og med denne dato (ÅÅÅÅ-MM-DD; standard: siden forrige rapport).")] = None,
    programmes: Annotated[Path | None, typer.Option(
        "--programmes", help="Skriv i stedet én oversigt (oversigt.html) over alle programmer i denne fil "
                             "(programmes.toml): status pr. indsatsområde, ændringer og åbne mangler.")] = None,
    catalog: Annotated[Path | None, typer.Option(
        "--catalog", help="Programmets katalog (criteria.yaml), hvis navn og kommune står øverst i rapporten "
                          "(standard: projektets).")] = None,
) -> None:
    """Dan bestyrelsesrapporten (HTML, XLSX og PDF, på dansk) fra det publicerede lager.

    Med --programmes dannes i stedet en oversigt over mange programmer til den, der ejer dem.
    """
    if programmes is not None:
        _overview(programmes, out)
        return
    from pipelines.report.build import write_report
    from pipelines.report.model import ReportDataError
    from pipelines.report.programme import programme_heading

    as_of_day, since_day = parse_day(as_of, "--as-of"), parse_day(since, "--since")
    open_published(warehouse).close()
    try:
        written = write_report(warehouse, out, as_of=as_of_day, since=since_day,
                               programme=programme_heading(catalog) if catalog else None)
    except ReportDataError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(ExitCode.FAILED) from None
    for path in written.files:
        console.print(f"Rapport: {path}")
    data = written.data
    if data.since is None:
        console.print(data.since_label)
    else:
        console.print(f"Ændrede kriterier {data.since_label}: {len({c.criterion_id for c in data.changes})}")


def _overview(programmes_file: Path, out: Path) -> None:
    from pipelines.publish.programmes import ProgrammesError, read_programmes
    from pipelines.report.overview.html import write_overview

    try:
        programmes = read_programmes(programmes_file)
    except ProgrammesError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(ExitCode.FAILED) from None
    path, overview = write_overview(programmes, out)
    console.print(f"Oversigt: {path}")
    for programme in overview.programmes:
        if not programme.published:
            console.print(f"{programme.name}: intet publiceret lager endnu ({programme.plan_id})")
        elif not programme.first_overview:
            console.print(f"{programme.name}: {len(programme.changes)} kriterie-områder med ny status")


def register(app: typer.Typer) -> None:
    app.command("report")(report)
