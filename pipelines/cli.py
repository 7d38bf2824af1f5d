"""The `kpi` command: nightly load, SQL on the published warehouse, deliveries, criteria, sample data."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipelines.cli_common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_REJECTED,
    SourcesOption,
    WarehouseOption,
    console,
    err_console,
)
from pipelines.cli_common import open_published as _open_published
from pipelines.commands import register_all
from pipelines.settings import DEFAULT_SOURCES, DEFAULT_WAREHOUSE, apply_quiet_offline_env

apply_quiet_offline_env()

app = typer.Typer(
    help="kpi-warehouse: KPI-pipeline og datalager for boligsociale helhedsplaner.",
    no_args_is_help=True,
    add_completion=False,
)


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command()
def nightly(
    sources: SourcesOption = DEFAULT_SOURCES,
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Vurderingsdato ÅÅÅÅ-MM-DD (standard: i dag).")] = None,
) -> None:
    """Kør natkørslen én gang: find nye leverancer, valider, indlæs, beregn og publicer.

    Exitkoder: 0 alt gik godt; 3 en eller flere leverancer blev afvist (resten er indlæst og
    publiceret); 4 kørslen fejlede, og det tidligere lager er stadig publiceret.
    """
    from pipelines import progress
    from pipelines.flows.nightly import nightly_flow
    from pipelines.privacy.cpr import ensure_key_file

    ensure_key_file()
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True) as bar:
        task_id = bar.add_task("Starter Prefect", total=None)
        progress.listen(lambda stage, done, total: bar.update(task_id, description=stage,
                                                              completed=done, total=total or None))
        try:
            result = nightly_flow(str(sources.resolve()), str(warehouse.resolve()), as_of)
        finally:
            progress.clear()
    loaded = [o for o in result.outcomes if o.status == "loaded"]
    duplicates = [o for o in result.outcomes if o.status == "duplicate"]
    console.print(f"Indlæst: {len(loaded)} filer, dubletter: {len(duplicates)}, afvist: {len(result.rejected)}.")
    for outcome in loaded:
        for warning in outcome.warnings:
            console.print(f"[yellow]Advarsel:[/yellow] {warning}")
    for outcome in result.rejected:
        console.print(f"[red]Afvist:[/red] {outcome.error}")
    if result.failure:
        err_console.print(f"[red]Kørslen fejlede; det tidligere lager er stadig publiceret.[/red] {result.failure}")
        raise typer.Exit(EXIT_FAILED)
    console.print(f"Publiceret: {warehouse}")
    if result.report_error:
        console.print(f"[yellow]Advarsel:[/yellow] {result.report_error}")
    raise typer.Exit(EXIT_REJECTED if result.rejected else EXIT_OK)


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="SQL-forespørgsel mod det publicerede lager (skrivebeskyttet).")],
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    output: Annotated[OutputFormat, typer.Option("--format", help="Uddataformat.")] = OutputFormat.table,
) -> None:
    """Kør en SQL-forespørgsel mod det publicerede lager, skrivebeskyttet."""
    import duckdb

    con = _open_published(warehouse)
    try:
        cursor = con.execute(query)
    except duckdb.Error as exc:
        err_console.print(f"[red]Fejl i forespørgslen:[/red] {exc}")
        raise typer.Exit(2) from exc
    columns = [d[0] for d in cursor.description or []]
    rows = cursor.fetchall()
    if output is OutputFormat.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    elif output is OutputFormat.json:
        print(json.dumps([dict(zip(columns, r, strict=True)) for r in rows], ensure_ascii=False, default=str))
    else:
        table = Table(*columns)
        for row in rows:
            table.add_row(*["" if v is None else str(v) for v in row])
        console.print(table)


@app.command()
def deliveries(
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    source: Annotated[str | None, typer.Option("--source", help="Kun dette kildesystem.")] = None,
    status: Annotated[str | None, typer.Option(
        "--status", help="Kun denne status: loaded, duplicate, superseded eller rejected.")] = None,
) -> None:
    """Vis indlæsningsloggen (load_ledger), nyeste først."""
    con = _open_published(warehouse)
    rows = con.execute(
        "select loaded_at, source_system, file_name, delivered_at, status, rows_loaded, coalesce(error, '') "
        "from load_ledger where (? is null or source_system = ?) and (? is null or status = ?) "
        "order by loaded_at desc, delivered_at desc, file_name",
        [source, source, status, status],
    ).fetchall()
    table = Table("indlæst", "kilde", "fil", "leveret", "status", "rækker", "fejl",
                  title=f"Indlæsningslog ({len(rows)} filer)")
    for loaded_at, source_system, file_name, delivered_at, file_status, rows_loaded, error in rows:
        table.add_row(f"{loaded_at:%Y-%m-%d %H:%M}", source_system, file_name,
                      f"{delivered_at:%Y-%m-%d}" if delivered_at else "", file_status, str(rows_loaded or 0), error)
    console.print(table)


@app.command()
def criteria(
    criterion_id: Annotated[str | None, typer.Argument(help="Et kriterie-id; uden id vises alle kriterier.")] = None,
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
) -> None:
    """Vis alle kriterier med seneste status, eller forklar ét kriterium: regel, baseline, serie og status."""
    from pipelines.explain import criteria_overview, explain_criterion

    con = _open_published(warehouse)
    if criterion_id is None:
        console.print(criteria_overview(con))
        return
    try:
        console.print(explain_criterion(con, criterion_id), highlight=False)
    except KeyError:
        err_console.print(f"[red]Ukendt kriterium: {criterion_id}[/red] (se 'kpi criteria' for listen)")
        raise typer.Exit(2) from None


@app.command()
def sample(
    target: Annotated[Path, typer.Option("--target", help="Hvor eksempelleverancerne skrives.")] = DEFAULT_SOURCES
    / "sample",
) -> None:
    """Skriv eksempelleverancer (demo og test) til TARGET/inbox/<kildesystem>/."""
    from pipelines.sample import generate

    written = generate(target)
    console.print(f"Skrev {len(written)} filer under {target / 'inbox'}.")


@app.command("init-key")
def init_key() -> None:
    """Opret en lokal nøgle til pseudonymisering af CPR-numre (uden for repo og lager)."""
    from pipelines.privacy.cpr import ensure_key_file

    console.print(f"Nøgle: {ensure_key_file()}")


register_all(app)

if __name__ == "__main__":
    app()
