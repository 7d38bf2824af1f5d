"""`kpi rebuild`: build the internal file again from every delivery in the inbox, on demand (or show the plan).

The same as what a nightly does by itself when it finds the internal file damaged (pipelines/operate/healing.py):
the internal file is set aside under a dated name, every delivery is loaded again, dbt builds everything, and
first load times and `kpi_status_history` are taken from the published file (pipelines/load/rebuild.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipelines.commands.common import SourcesOption, WarehouseOption, console
from pipelines.exit_codes import ExitCode
from pipelines.settings import DEFAULT_SOURCES, DEFAULT_WAREHOUSE, RunConfig


def _state_line_da(what_da: str, path: Path, problem: str | None, action_da: str) -> str:
    if not path.exists():
        return f"{what_da} ({path}) findes ikke."
    return f"{what_da} ({path}): " + (f"{problem}; {action_da}." if problem else "i orden.")


def rebuild_plan_da(config: RunConfig) -> list[str]:
    """What `kpi rebuild` would do, checked now without changing anything."""
    from pipelines.delivery.discover import inbox_files
    from pipelines.operate.state_check import duckdb_problem
    from pipelines.runtime.disk import free_space, mib_da, space_needed

    published_problem = duckdb_problem(config.warehouse, published=True) if config.warehouse.exists() else None
    internal_problem = (duckdb_problem(config.internal_warehouse, published=False)
                        if config.internal_warehouse.exists() else None)
    deliveries = inbox_files(config.inbox)
    history = ("første indlæsningstider og kpi_status_history hentes fra det publicerede lager"
               if config.warehouse.is_file() and published_problem is None
               else "der er intet læsbart publiceret lager: historikken begynder forfra ved genopbygningen")
    folder = config.warehouse.parent
    return [
        _state_line_da("Det publicerede lager", config.warehouse, published_problem,
                       "den lægges til side og genskabes"),
        _state_line_da("Det interne lager", config.internal_warehouse, internal_problem, "den lægges til side"),
        f"Det interne lager ville blive lagt til side under et dateret navn (intet slettes) og bygget igen fra "
        f"{len(deliveries)} leverancer i {config.inbox} og referencefilerne; dbt bygger alt forfra.",
        f"Historik: {history}.",
        f"Plads: ca. {mib_da(space_needed([config.warehouse, config.internal_warehouse]))} skal være fri i "
        f"{folder}; der er {mib_da(free_space(folder)) if folder.is_dir() else 'ukendt'} fri.",
        "Intet er ændret (--dry-run).",
    ]


def register(app: typer.Typer) -> None:
    @app.command()
    def rebuild(
        sources: SourcesOption = DEFAULT_SOURCES,
        warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
        as_of: Annotated[str | None, typer.Option("--as-of", help="Vurderingsdato ÅÅÅÅ-MM-DD (standard: i dag).")]
        = None,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Vis kun, hvad der ville ske.")] = False,
        verbose: Annotated[bool, typer.Option("--verbose", help="Vis også bibliotekernes log.")] = False,
    ) -> None:
        """Genopbyg det interne lager fra alle leverancer i indbakken, og publicer igen.

        Det gamle interne lager lægges til side under et dateret navn (intet slettes). Første
        indlæsningstider og kpi_status_history hentes fra det publicerede lager, når det kan læses.
        Exitkoder som 'kpi nightly'.
        """
        from datetime import date

        if dry_run:
            config = RunConfig(sources.resolve(), warehouse.resolve(), date.today())
            for line in rebuild_plan_da(config):
                console.print(line, highlight=False)
            raise typer.Exit(ExitCode.OK)
        from pipelines.commands.nightly import NightlyOptions, _nightly_one

        raise typer.Exit(_nightly_one(sources.resolve(), warehouse.resolve(), as_of, verbose,
                                      options=NightlyOptions(full_rebuild=True, rebuild=True)))
