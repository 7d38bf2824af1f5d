"""`kpi sample`: write the sample deliveries (demo and tests) into a sources folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipelines.commands.common import console
from pipelines.settings import DEFAULT_SOURCES


def sample(
    target: Annotated[Path, typer.Option("--target", help="Hvor eksempelleverancerne skrives.")] = DEFAULT_SOURCES
    / "sample",
    scale: Annotated[int, typer.Option("--scale", min=1,
                                       help="Befolkningens størrelse: N gange eksempelbefolkningen.")] = 1,
) -> None:
    """Skriv eksempelleverancer (demo og test) til TARGET/inbox/<kildesystem>/."""
    from pipelines.sample import generate

    written = generate(target, scale)
    console.print(f"Skrev {len(written)} filer under {target / 'inbox'}.")


def register(app: typer.Typer) -> None:
    app.command()(sample)
