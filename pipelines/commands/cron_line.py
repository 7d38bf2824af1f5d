"""`kpi cron-line`: the plain crontab alternative for a machine without the Prefect server."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from pipelines.commands.common import SourcesOption, WarehouseOption
from pipelines.settings import DEFAULT_SOURCES, DEFAULT_WAREHOUSE, REPO_ROOT

CronOption = Annotated[str, typer.Option("--cron", help="Hvornår natkørslen kører (cron, fem felter).")]
LogOption = Annotated[Path | None, typer.Option(
    "--log", help="Logfilen (standard: kpi-nightly.log i datamappen).")]


def crontab_line(cron: str, sources: Path, warehouse: Path, log: Path, kpi: Path, workdir: Path) -> str:
    command = (f"cd {shlex.quote(str(workdir))} && {shlex.quote(str(kpi))} nightly "
               f"--sources {shlex.quote(str(sources))} --warehouse {shlex.quote(str(warehouse))}")
    return f"{cron} {command} >> {shlex.quote(str(log))} 2>&1"


def register(app: typer.Typer) -> None:
    @app.command("cron-line")
    def cron_line(cron: CronOption = "0 2 * * *", sources: SourcesOption = DEFAULT_SOURCES,
                  warehouse: WarehouseOption = DEFAULT_WAREHOUSE, log: LogOption = None) -> None:
        """Skriv crontab-linjen til natkørslen, til maskiner uden Prefect-server (crontab -e)."""
        from pipelines.runtime.places import data_dir

        kpi = Path(sys.executable).with_name("kpi")
        log = (log or data_dir() / "kpi-nightly.log").absolute()
        print("# kpi-warehouse natkørsel. Låsen i natkørslen sikrer at kun én kørsel pr. lager kører ad gangen")
        print("# (en kørsel der starter mens en anden er i gang, springes over), så flock er ikke nødvendig.")
        print(f"# Tiden er maskinens lokale tid; loggen skrives til {log} (mappen skal findes).")
        print(crontab_line(cron, sources.absolute(), warehouse.absolute(), log, kpi, REPO_ROOT))
