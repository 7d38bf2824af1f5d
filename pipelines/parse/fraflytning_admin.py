"""Move-outs per housing unit and year from the housing organisations (source_formats.md section 6).

One row per afdeling; the area is found through `afdelinger.csv` (an unknown pair is rejected). The
fraflytningsprocent of an area is Σ fraflytninger / Σ boliger × 100 over its afdelinger, delivered with
numerator and denominator so that `combined` pools all areas. The source label lists an area's afdelinger in
the order of `afdelinger.csv`, whatever their order in the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from pipelines.delivery.errors import DeliveryRejected
from pipelines.delivery.filenames import FileName
from pipelines.delivery.readers import Cell, CellKind, RawRow, RawTable, is_note_label, is_total_label, read_delimited
from pipelines.parse._police import row_year, unknown_column_warnings
from pipelines.parse.base import (
    AggregateParser,
    Indicator,
    Observation,
    ParseContext,
    ParsedDelivery,
    observations_frame,
    reject_personal_data,
    require_number,
)
from pipelines.periods import Period
from pipelines.reference.addresses import Afdeling, AfdelingRegister

ORGANISATION, AFDELING, NAME, YEAR = "Boligorganisation", "Afdeling", "Afdelingsnavn", "År"
DWELLINGS, MOVE_OUTS, INTERNAL = "Antal boliger", "Antal fraflytninger", "Heraf interne flytninger"
COLUMNS = (ORGANISATION, AFDELING, NAME, YEAR, DWELLINGS, MOVE_OUTS, INTERNAL)


@dataclass
class AreaTotals:
    first_row: int
    dwellings: int = 0
    move_outs: int = 0
    afdelinger: list[Afdeling] = field(default_factory=list)


def _whole_number(row: RawRow, column: str, table: RawTable, *, minimum: int) -> int:
    expected = f"et helt tal ≥ {minimum}"
    text = row[column]
    cell = require_number(text, file_name=table.file_name, row=row.number, column=column, expected=expected)
    if cell.kind is not CellKind.VALUE or not float(cell.value).is_integer() or cell.value < minimum:
        raise DeliveryRejected(table.file_name, f"'{text or 'tom'}'", expected, row=row.number, column=column)
    return int(cell.value)


def _is_total_or_note(row: RawRow) -> bool:
    return (is_total_label(row[NAME]) and not row[AFDELING]) or is_total_label(row[ORGANISATION]) \
        or is_note_label(row[ORGANISATION])


def _percent(totals: AreaTotals) -> float:
    return totals.move_outs / totals.dwellings * 100


class FraflytningAdminParser(AggregateParser):
    source_system = "fraflytning_admin"
    extensions = ("csv",)
    columns = COLUMNS
    indicators: ClassVar[Mapping[str, Indicator]] = {
        "fraflytningsprocent": Indicator("percent"), "fraflytninger": Indicator("count"), "boliger": Indicator("count")}

    def parse(self, path: Path, name: FileName, context: ParseContext) -> ParsedDelivery:
        table = read_delimited(path, COLUMNS, value_columns=(DWELLINGS, MOVE_OUTS, INTERNAL))
        reject_personal_data([table])
        register = AfdelingRegister.from_reference(context.reference_dir)
        by_area: dict[tuple[str, Period], AreaTotals] = {}
        seen: dict[tuple[str, str, str], int] = {}
        for row in table.rows:
            if _is_total_or_note(row):
                continue
            afdeling = register.lookup(row[ORGANISATION], row[AFDELING])
            if afdeling is None:
                raise DeliveryRejected(path.name, f"ukendt afdeling '{row[ORGANISATION]}' / '{row[AFDELING]}'",
                                       "en afdeling fra afdelinger.csv: " + "; ".join(register.known),
                                       row=row.number, column=AFDELING, gap_type="unmapped_area")
            period = row_year(row, name, table)
            key = (afdeling.organisation, afdeling.number, period.label)
            if key in seen:
                raise DeliveryRejected(path.name, f"afdeling {afdeling.number} står også i række {seen[key]}",
                                       "én række pr. afdeling og år", row=row.number, column=AFDELING)
            seen[key] = row.number
            dwellings = _whole_number(row, DWELLINGS, table, minimum=1)
            move_outs = _whole_number(row, MOVE_OUTS, table, minimum=0)
            if row[INTERNAL]:
                _whole_number(row, INTERNAL, table, minimum=0)
            totals = by_area.setdefault((afdeling.area_key, period), AreaTotals(row.number))
            totals.dwellings += dwellings
            totals.move_outs += move_outs
            totals.afdelinger.append(afdeling)
        if not by_area:
            raise DeliveryRejected(path.name, "filen har kun total- eller noterækker", "mindst én række pr. afdeling")
        observations = []
        for (area_key, period), totals in by_area.items():
            label = ", ".join(f"{a.organisation} afd. {a.number}"
                              for a in sorted(totals.afdelinger, key=register.afdelinger.index))
            observations += [
                Observation("fraflytningsprocent", area_key, period, Cell(CellKind.VALUE, _percent(totals)), "percent",
                            totals.first_row, label, numerator=totals.move_outs, denominator=totals.dwellings),
                Observation("fraflytninger", area_key, period, Cell(CellKind.VALUE, totals.move_outs), "count",
                            totals.first_row, label),
                Observation("boliger", area_key, period, Cell(CellKind.VALUE, totals.dwellings), "count",
                            totals.first_row, label),
            ]
        return ParsedDelivery(observations_frame(observations), unknown_column_warnings(table, path))


PARSER = FraflytningAdminParser()
