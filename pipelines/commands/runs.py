"""`kpi runs`: the latest nightly runs, newest first, in Danish."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from pipelines.commands.common import WarehouseOption, console
from pipelines.settings import DEFAULT_WAREHOUSE

FailedOption = Annotated[bool, typer.Option("--failed", help="Kun kørsler der fejlede.")]
LimitOption = Annotated[int, typer.Option("--limit", min=1, help="Højst så mange kørsler.")]


def duration_da(seconds: float | None) -> str:
    if seconds is None:
        return "ikke afsluttet"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def register(app: typer.Typer) -> None:
    @app.command()
    def runs(warehouse: WarehouseOption = DEFAULT_WAREHOUSE, failed: FailedOption = False,
             limit: LimitOption = 20) -> None:
        """Vis de seneste natkørsler: start, varighed, udfald, indlæste og afviste filer og beskeden."""
        from pipelines.operate.history import outcome_da, run_history
        from pipelines.operate.status import running_holder
        from pipelines.runtime.run_records import FAILED, runlog_path

        history = run_history(warehouse)
        running = running_holder(warehouse, history)
        chosen = [r for r in history if not failed or r.outcome == FAILED][::-1][:limit]
        if not history:
            console.print(f"Ingen natkørsler registreret for {warehouse} endnu ({runlog_path(warehouse).name} "
                          "findes ikke, og lageret har ingen load_runs).")
            return
        what = "fejlede kørsler" if failed else "kørsler"
        table = Table("start", "varighed", "udfald", "indlæst", "afvist", "besked",
                      title=f"Seneste {what} ({len(chosen)} af {len(history)})")
        for run in chosen:
            outcome, message = outcome_da(run.outcome), run.message
            if run.finished_at is None:  # the record a run writes at its start, never closed
                is_running = running is not None and run is history[-1]
                outcome = "i gang" if is_running else "afbrudt"
                message = running.describe_da() if is_running else message
            table.add_row(f"{run.started_at:%Y-%m-%d %H:%M:%S}", duration_da(run.duration_seconds),
                          outcome, str(run.files_loaded), str(run.files_rejected), message)
        console.print(table)
