"""`kpi deliveries`: the load ledger of the published warehouse, newest first, with each file's notices."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from pipelines.commands.common import WarehouseOption, console, open_published
from pipelines.settings import DEFAULT_WAREHOUSE


def deliveries(
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    source: Annotated[str | None, typer.Option("--source", help="Kun dette kildesystem.")] = None,
    status: Annotated[str | None, typer.Option(
        "--status", help="Kun denne status: loaded, duplicate, superseded eller rejected.")] = None,
) -> None:
    """Vis indlæsningsloggen (load_ledger), nyeste først."""
    con = open_published(warehouse)
    rows = con.execute(
        "select loaded_at, source_system, file_name, delivered_at, status, rows_loaded, coalesce(error, '') "
        "from load_ledger where (? is null or source_system = ?) and (? is null or status = ?) "
        "order by loaded_at desc, delivered_at desc, file_name",
        [source, source, status, status],
    ).fetchall()
    from pipelines.delivery.notices import stored_notices

    notices = stored_notices(warehouse.with_name(warehouse.stem + ".internal.duckdb"))
    table = Table("indlæst", "kilde", "fil", "leveret", "status", "rækker", "fejl eller bemærkning",
                  title=f"Indlæsningslog ({len(rows)} filer)")
    for loaded_at, source_system, file_name, delivered_at, file_status, rows_loaded, error in rows:
        note = error or (notices.get(file_name, "") if file_status == "loaded" else "")
        table.add_row(f"{loaded_at:%Y-%m-%d %H:%M}", source_system, file_name,
                      f"{delivered_at:%Y-%m-%d}" if delivered_at else "", file_status,
                      "skjult" if rows_loaded is None else str(rows_loaded), note)  # persons: not published
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command()(deliveries)
