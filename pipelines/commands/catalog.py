"""`kpi catalog template|export|import|check`: the criteria catalog as a Danish workbook, and its check."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipelines.commands.common import console, err_console
from pipelines.exit_codes import ExitCode
from pipelines.settings import DEFAULT_SOURCES, REFERENCE_DIR_NAME

DEFAULT_CATALOG = DEFAULT_SOURCES / REFERENCE_DIR_NAME / "criteria.yaml"

catalog_app = typer.Typer(help="Kriteriekataloget som Excel-projektmappe: skabelon, eksport, import og kontrol.",
                          no_args_is_help=True, add_completion=False)


def _print_problems(problems: list, source: Path) -> None:
    from pipelines.catalog_workbook.check import sorted_problems
    from pipelines.catalog_workbook.problems import ERROR

    for problem in sorted_problems(problems):
        colour = "red" if problem.severity == ERROR else "yellow"
        err_console.print(f"[{colour}]{problem.line_da()}[/{colour}]", highlight=False, soft_wrap=True)
    n_errors = sum(p.severity == ERROR for p in problems)
    n_warnings = len(problems) - n_errors
    summary = f"{source.name}: {n_errors} fejl, {n_warnings} advarsler."
    (err_console if n_errors else console).print(summary, highlight=False)


@catalog_app.command("template")
def template(
    out: Annotated[Path, typer.Option("--out", help="Projektmappen der skrives (.xlsx).")] = Path("katalog.xlsx"),
    name: Annotated[str | None, typer.Option("--name", help="Programmets navn.")] = None,
) -> None:
    """Skriv en tom katalog-projektmappe med rullelister og en vejledning med eksempler fra Slagelse."""
    from pipelines.catalog_workbook.workbooks import write_template

    console.print(f"Skrev {write_template(out, name=name)}.", highlight=False)


@catalog_app.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", help="Projektmappen der skrives (.xlsx).")],
    catalog: Annotated[Path, typer.Option("--catalog", help="criteria.yaml (readings.yaml ved siden af).")]
    = DEFAULT_CATALOG,
) -> None:
    """Skriv et eksisterende katalog (criteria.yaml + readings.yaml) som projektmappe, så det kan rettes i Excel."""
    from pipelines.catalog_workbook.workbooks import export_catalog

    if not catalog.is_file():
        err_console.print(f"[red]Kataloget {catalog} findes ikke.[/red]", highlight=False)
        raise typer.Exit(ExitCode.FAILED)
    console.print(f"Skrev {export_catalog(catalog, out)}.", highlight=False)


@catalog_app.command("import")
def import_(
    workbook: Annotated[Path, typer.Argument(help="Den udfyldte projektmappe (.xlsx).")],
    out: Annotated[Path, typer.Option("--out", help="Mappen hvor criteria.yaml og readings.yaml skrives.")]
    = Path("."),
) -> None:
    """Kontrollér projektmappen og skriv criteria.yaml og readings.yaml. Ved fejl skrives intet (exitkode 4)."""
    from pipelines.catalog_workbook.files import is_workbook, load_checked, write_catalog_files

    if not is_workbook(workbook):
        err_console.print(f"[red]{workbook} er ikke en Excel-projektmappe (.xlsx).[/red]", highlight=False)
        raise typer.Exit(ExitCode.FAILED)
    checked = load_checked(workbook)
    _print_problems(checked.problems, workbook)
    if not checked.ok:
        err_console.print("[red]Intet er skrevet; ret fejlene og importér igen.[/red]")
        raise typer.Exit(ExitCode.FAILED)
    for path in write_catalog_files(checked, out, workbook):
        console.print(f"Skrev {path}.", highlight=False)


@catalog_app.command("check")
def check(
    file: Annotated[Path, typer.Argument(help="criteria.yaml eller en katalog-projektmappe (.xlsx).")]
    = DEFAULT_CATALOG,
) -> None:
    """Find alle fejl i kataloget på én gang, hver med sin celle (Kriterier!F12) eller sin sti i YAML-filen.

    Exitkoder: 0 ingen fejl (advarsler kan forekomme: kataloget kan bruges); 4 en eller flere fejl
    (natkørslen afviser da kataloget, og intet indlæses).
    """
    from pipelines.catalog_workbook.files import load_checked

    checked = load_checked(file)
    _print_problems(checked.problems, file)
    raise typer.Exit(ExitCode.OK if checked.ok else ExitCode.FAILED)


def register(app: typer.Typer) -> None:
    app.add_typer(catalog_app, name="catalog")
