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
    programmes: Annotated[int | None, typer.Option(
        "--programmes", min=1, help="Skriv i stedet N syntetiske programmer (hvert med egne områder, katalog, "
        "referencefiler og leverancer) og deres programmes.toml under TARGET.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Startværdi for --programmes: samme værdi, samme programmer.")]
    = 1,
) -> None:
    """Skriv eksempelleverancer (demo og test) til TARGET/inbox/<kildesystem>/, eller N syntetiske programmer."""
    if programmes is not None:
        from pipelines.sample.programmes.fleet import write_fleet

        written = write_fleet(target, programmes, seed)
        areas = sum(len(p.areas) for p in written)
        console.print(f"Skrev {len(written)} programmer ({areas} områder) og {target / 'programmes.toml'}.")
        return
    from pipelines.sample import generate

    written = generate(target, scale)
    console.print(f"Skrev {len(written)} filer under {target / 'inbox'}.")


def register(app: typer.Typer) -> None:
    app.command()(sample)
