"""`kpi templates`: Excel workbooks the programme's staff fill in and drop in the inbox."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from pipelines.commands.common import console, err_console
from pipelines.exit_codes import ExitCode
from pipelines.settings import DEFAULT_SOURCES


def templates(
    period: Annotated[str | None, typer.Option(
        "--period", help="Kvartal (2025Q1) eller år (2025). Standard: seneste afsluttede kvartal.")] = None,
    out: Annotated[Path, typer.Option("--out", help="Mappe til skabelonerne (én undermappe pr. kilde).")]
    = Path("templates"),
    catalog: Annotated[Path, typer.Option("--catalog", help="Kriteriekataloget.")]
    = DEFAULT_SOURCES / "reference" / "criteria.yaml",
) -> None:
    """Skriv Excel-skabeloner for helhedsplanens egne kilder, klar til at udfylde og lægge i inbox/.

    Én projektmappe pr. kilde: forudfyldte rækker (kriterium, område, periode), låst struktur, kun
    inputfelterne er åbne og har datavalidering, og en vejledning på dansk. Filnavnet følger leverancekontrakten.
    """
    import re

    from pipelines.supplier_templates.generate import previous_quarter, write_templates

    token = period or previous_quarter(date.today())
    if not re.fullmatch(r"\d{4}(Q[1-4])?", token):
        err_console.print(f"[red]Ugyldig periode '{token}'[/red]: brug et kvartal (2025Q1) eller et år (2025).")
        raise typer.Exit(ExitCode.USAGE)
    written = write_templates(catalog, token, out, date.today())
    if not written:
        err_console.print(f"[red]Ingen kriterier at registrere for {token}.[/red]")
        raise typer.Exit(ExitCode.FAILED)
    from pipelines.source_names import source_name_da

    sources = ", ".join(source_name_da(name) for name in dict.fromkeys(path.parent.name for path in written))
    console.print(f"Skabeloner for {token}: {len(written)} projektmapper i {out}/, én mappe pr. kilde ({sources}).",
                  highlight=False)


def register(app: typer.Typer) -> None:
    app.command("templates")(templates)
