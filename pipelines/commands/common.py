"""What every `kpi` command shares: consoles, exit codes, the common options and opening the published file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console()
err_console = Console(stderr=True)

EXIT_OK = 0
EXIT_REJECTED = 3
EXIT_FAILED = 4
EXIT_LOCKED = 5  # another nightly holds the warehouse's run lock; this one was skipped

SourcesOption = Annotated[Path, typer.Option("--sources", help="Mappe med inbox/ og reference/.")]
WarehouseOption = Annotated[Path, typer.Option("--warehouse", help="Den publicerede DuckDB-fil.")]


def open_published(warehouse: Path):
    """The published warehouse, read-only; a missing file ends the command with a Danish message."""
    import duckdb

    if not warehouse.is_file():
        err_console.print(f"[red]Lageret {warehouse} findes ikke endnu. Kør 'kpi nightly' først.[/red]")
        raise typer.Exit(EXIT_FAILED)
    return duckdb.connect(str(warehouse), read_only=True)
