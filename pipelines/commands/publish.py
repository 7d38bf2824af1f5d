"""`kpi publish`: the published warehouse to PostgreSQL for remote evaluators, and their read-only roles."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from pipelines.commands.common import WarehouseOption, console, err_console, open_published
from pipelines.exit_codes import ExitCode
from pipelines.settings import DEFAULT_WAREHOUSE


def publish(
    to: Annotated[str, typer.Option("--to", help="PostgreSQL-forbindelse, fx postgresql://kpi@db.kommune.dk/kpi "
                                                 "(adgangskode i ~/.pgpass eller PGPASSWORD, aldrig i repoet).")],
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    plan_id: Annotated[str, typer.Option("--plan-id", help="Programmets nøgle = skemaets navn i PostgreSQL.")]
    = "kpi",
    init_roles: Annotated[bool, typer.Option("--init-roles", help="Opret programmets skrivebeskyttede "
                                                                  "evaluatorrolle (<plan_id>_evaluator).")] = False,
    login: Annotated[str | None, typer.Option("--login", help="Med --init-roles: opret også en bruger i rollen; "
                                                              "adgangskoden læses fra KPI_EVALUATOR_PASSWORD.")]
    = None,
    overview: Annotated[bool, typer.Option("--overview", help="Med --init-roles: opret i stedet oversigtsrollen "
                                                              "kpi_overview, der læser alle programmers kpi_status "
                                                              "og data_gaps (intet andet).")] = False,
) -> None:
    """Publicér lageret til PostgreSQL: nyt skema, COPY, kontrol, og skift i én transaktion.

    En læser ser enten den gamle eller den nye version, aldrig en blanding; en fejlet publicering
    efterlader den forrige version. Med --init-roles oprettes i stedet evaluatorrollen
    (med --overview oversigtsrollen for en ejer af flere programmer).
    """
    from pipelines.publish.postgres import PostgresPublishError, init_overview_role, publish_to_postgres
    from pipelines.publish.postgres import init_roles as create_roles

    try:
        if init_roles:
            password = os.environ.get("KPI_EVALUATOR_PASSWORD")
            done = init_overview_role(to, login, password) if overview else create_roles(to, plan_id, login, password)
            for line in done:
                console.print(line)
            return
        open_published(warehouse).close()
        report = publish_to_postgres(Path(warehouse), to, plan_id)
    except PostgresPublishError as exc:
        err_console.print(f"[red]{exc}[/red] Den tidligere publicerede version er uændret.")
        raise typer.Exit(ExitCode.FAILED) from None
    rows = ", ".join(f"{name} {count}" for name, count in report.tables.items())
    console.print(f"Publiceret til PostgreSQL-skemaet {report.schema}: {rows}.")


def register(app: typer.Typer) -> None:
    app.command("publish")(publish)
