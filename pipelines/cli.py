"""The `kpi` command: the typer app; each sub-command is a module of `pipelines/commands/` that registers itself."""

from __future__ import annotations

import typer

from pipelines.commands import register_all
from pipelines.settings import apply_quiet_offline_env

apply_quiet_offline_env()

app = typer.Typer(
    help="kpi-warehouse: KPI-pipeline og datalager for boligsociale helhedsplaner.",
    no_args_is_help=True,
    add_completion=False,
)

register_all(app)

if __name__ == "__main__":
    app()
