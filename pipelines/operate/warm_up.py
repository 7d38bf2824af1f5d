"""What a spare run process of `kpi watch` loads before its run is known (pipelines/operate/warm_run.py).

Everything a nightly imports on its way, so that the run itself starts at the flow: the CLI and its
`nightly` command, the flow module (Prefect, DuckDB), the parsers and loaders (polars), the report's
modules (rendered after publication), Prefect's flow engine and client, and Great Expectations with its
context (built on the other core while the rest imports). Nothing here reads a file of the run.
"""

from __future__ import annotations

import importlib
from pathlib import Path

# In the order a run reaches them; each is imported at some point of a nightly that loads a file.
WARM_MODULES = (
    "pipelines.cli",
    "pipelines.commands.nightly",
    "rich.progress",
    "pipelines.flows.nightly",
    "prefect.flow_engine",
    "prefect.task_engine",
    "prefect.client.orchestration",
    "pipelines.flows.delivery_step",
    "pipelines.flows.parallel_parse",
    "pipelines.load.build",
    "pipelines.load.rebuild",
    "pipelines.receive.drop_folder",
    "pipelines.publish.targets",
    "pipelines.report.freshness",
    "pipelines.report.build",
)


def warm_up(warehouse: Path | None = None) -> None:
    """Import what a run needs; returns once everything, GX's context included, is loaded. With `warehouse`, dbt's
    child for that warehouse's build file is started too (imported and parsed; the run's build takes it)."""
    from pipelines.validate.suites import preload_in_background, wait_for_preload

    preload_in_background()  # GX on the other core while this one imports the rest
    for name in WARM_MODULES:
        importlib.import_module(name)
    if warehouse is not None:
        from pipelines.operate.healing import preload_dbt_on_a_sound_target

        preload_dbt_on_a_sound_target(warehouse)
    wait_for_preload()
