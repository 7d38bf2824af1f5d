"""`kpi sql`: a read-only SQL query on the published warehouse, as a table, CSV or JSON."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from pipelines.commands.common import WarehouseOption, console, err_console, open_published
from pipelines.exit_codes import ExitCode
from pipelines.settings import DEFAULT_WAREHOUSE


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def sql(
    query: Annotated[str, typer.Argument(help="SQL-forespørgsel mod det publicerede lager (skrivebeskyttet).")],
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    output: Annotated[OutputFormat, typer.Option("--format", help="Uddataformat.")] = OutputFormat.table,
) -> None:
    """Kør en SQL-forespørgsel mod det publicerede lager, skrivebeskyttet."""
    import duckdb

    con = open_published(warehouse)
    try:
        cursor = con.execute(query)
    except duckdb.Error as exc:
        err_console.print(f"[red]Fejl i forespørgslen:[/red] {exc}")
        raise typer.Exit(ExitCode.USAGE) from exc
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


def register(app: typer.Typer) -> None:
    app.command()(sql)
