"""`kpi gaps`: what is missing, grouped by the supplier who must deliver it, with deadlines."""

from __future__ import annotations

import csv
import sys
from enum import StrEnum
from itertools import groupby
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Column, Table

from pipelines.commands.common import WarehouseOption, console, open_published
from pipelines.settings import DEFAULT_WAREHOUSE


class GapFormat(StrEnum):
    table = "table"
    csv = "csv"
    xlsx = "xlsx"


def gaps(
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    supplier: Annotated[str | None, typer.Option("--supplier", help="Kun leverandører hvis navn indeholder teksten.")]
    = None,
    output: Annotated[GapFormat, typer.Option("--format", help="table (skærm), csv (stdout) eller xlsx.")]
    = GapFormat.table,
    out: Annotated[Path, typer.Option("--out", help="XLSX-filen der skrives (kun med --format xlsx).")]
    = Path("reports/manglende_leverancer.xlsx"),
) -> None:
    """Vis manglende leverancer pr. leverandør med frister: en liste sekretariatet kan sende til hver leverandør."""
    from pipelines.gaps.supplier_list import BOARD, BOARD_TITLE, HEADERS_DA, as_rows, supplier_gaps

    con = open_published(warehouse)
    try:
        found = supplier_gaps(con, supplier)
    finally:
        con.close()
    if output is GapFormat.csv:
        writer = csv.writer(sys.stdout, delimiter=";")
        writer.writerow(HEADERS_DA)
        writer.writerows([[v.strftime("%d-%m-%Y") if hasattr(v, "strftime") else v for v in row]
                          for row in as_rows(found)])
        return
    if output is GapFormat.xlsx:
        from pipelines.gaps.xlsx import write_gaps_workbook

        console.print(f"Skrev {write_gaps_workbook(found, out)} ({len(found)} linjer).")
        return
    if not found:
        console.print("Ingen manglende leverancer.")
        return
    for name, group in groupby(found, key=lambda g: g.supplier):
        items = list(group)
        title = BOARD_TITLE if name == BOARD else name
        # fits 80 columns; the number of criteria per line is in --format csv/xlsx
        source = Column("Kilde", width=_longest_word([g.source_name_da for g in items]))
        table = Table(source, "Periode", "Mangel", "Frist", "Områder", title=f"{title} ({len(items)})",
                      title_justify="left")
        for g in items:
            table.add_row(g.source_name_da, g.period or "", g.gap_type_da,
                          f"{g.due_date:%d-%m-%Y}" if g.due_date else "", g.areas_da)
        console.print(table)


def _longest_word(texts: list[str]) -> int:
    """A fixed width for a column of names: rich would otherwise cut a long word (Samarbejdsudval…) to fit 80."""
    return max(len(word) for text in texts for word in text.split()) if texts else 1


def register(app: typer.Typer) -> None:
    app.command("gaps")(gaps)
