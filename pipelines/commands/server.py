"""`kpi server`: the persistent local Prefect server with its UI on 127.0.0.1."""

from __future__ import annotations

from typing import Annotated

import typer

from pipelines.commands.common import console

PortOption = Annotated[int | None, typer.Option(
    "--port", help="Port på 127.0.0.1 (standard: $KPI_PREFECT_PORT eller 4200).")]
DatabaseOption = Annotated[str | None, typer.Option(
    "--database-url", help="Prefect-serverens database som URL, fx postgresql+asyncpg://kpi:KODE@vært:5432/prefect "
    "(standard: $KPI_PREFECT_DATABASE_URL, ellers SQLite i datamappen). PostgreSQL til en flåde af programmer: "
    "se docs/scaling.md.")]


def register(app: typer.Typer) -> None:
    @app.command()
    def server(port: PortOption = None, database_url: DatabaseOption = None) -> None:
        """Start den lokale Prefect-server med brugerfladen på 127.0.0.1; dens database er SQLite i datamappen
        uden for repoet, eller PostgreSQL med --database-url.

        Kør den som en tjeneste (deploy/kpi-prefect-server.service); stop den med Ctrl-C eller SIGTERM.
        """
        from pipelines.operate.server import exec_server, without_password
        from pipelines.runtime.places import prefect_database_url, prefect_home, prefect_port, ui_url

        port = port or prefect_port()
        database = database_url or prefect_database_url()
        where = f"database {without_password(database)}" if database else f"data i {prefect_home()}"
        console.print(f"Prefect-server: {where}; brugerflade på {ui_url(port)} (klar efter ca. 40 sekunder).")
        exec_server(port, database=database)
