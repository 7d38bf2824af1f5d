"""`kpi server`: the persistent local Prefect server with its UI on 127.0.0.1."""

from __future__ import annotations

from typing import Annotated

import typer

from pipelines.commands.common import console

PortOption = Annotated[int | None, typer.Option(
    "--port", help="Port på 127.0.0.1 (standard: $KPI_PREFECT_PORT eller 4200).")]


def register(app: typer.Typer) -> None:
    @app.command()
    def server(port: PortOption = None) -> None:
        """Start den lokale Prefect-server (SQLite i datamappen uden for repoet) med brugerfladen på 127.0.0.1.

        Kør den som en tjeneste (deploy/kpi-prefect-server.service); stop den med Ctrl-C eller SIGTERM.
        """
        from pipelines.operate.server import exec_server
        from pipelines.runtime.places import prefect_home, prefect_port, ui_url

        port = port or prefect_port()
        console.print(f"Prefect-server: data i {prefect_home()}; brugerflade på {ui_url(port)} "
                      "(klar efter ca. 40 sekunder).")
        exec_server(port)
