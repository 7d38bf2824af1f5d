"""What every `kpi` command shares: consoles, the common options and opening the published file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from pipelines.exit_codes import ExitCode

console = Console()
err_console = Console(stderr=True)

SourcesOption = Annotated[Path, typer.Option("--sources", help="Mappe med inbox/ og reference/.")]
WarehouseOption = Annotated[Path, typer.Option("--warehouse", help="Den publicerede DuckDB-fil.")]


def open_published(warehouse: Path):
    """The published warehouse, read-only; a missing file ends the command with a Danish message."""
    import duckdb

    if not warehouse.is_file():
        err_console.print(f"[red]Lageret {warehouse} findes ikke endnu. Kør 'kpi nightly' først.[/red]")
        raise typer.Exit(ExitCode.FAILED)
    return duckdb.connect(str(warehouse), read_only=True)
