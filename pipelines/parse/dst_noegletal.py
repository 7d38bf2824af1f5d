"""Danmarks Statistik StatBank downloads for the four areas (source_formats.md section 2, version 2).

Two layouts, both real, both accepted (the file says which one it is):

- *long*: `OMRÅDE;NØGLETAL;TID;INDHOLD`, one row per cell (the DST API's CSV, the "one row per cell" download);
- *web table*: the table as StatBank shows it on screen, saved as CSV: a quoted title, a header of blank stub
  cells followed by the years, a grouping row per key figure, then one row per area (blank stub, area name,
  one value per year) and quoted footnotes at the end.

`..` is confidential (suppressed). The key figures are the ministry's SUB-list criteria, so they feed the
vision_sub_crit_* entries and give comparators (Slagelse Kommune, Hele landet).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from pipelines.delivery.aliases import canonical_value, unknown_value_hint
from pipelines.delivery.errors import DeliveryRejected
from pipelines.delivery.filenames import FileName
from pipelines.delivery.readers import (
    PREAMBLE_COLUMN,
    RawRow,
    RawTable,
    delimited_rows,
    fold,
    is_note_label,
    is_total_label,
    read_delimited,
    split_trailing_notes,
)
from pipelines.parse._police import reject_repeated_cells, unknown_column_warnings
from pipelines.parse.base import (
    AggregateParser,
    AreaFigures,
    Indicator,
    Observation,
    ParseContext,
    ParsedDelivery,
    observations_frame,
    reject_personal_data,
    require_number,
    require_period_in_file,
)
from pipelines.periods import statbank_period, year_period

AREA, KEY_FIGURE, TIME, CONTENT = "OMRÅDE", "NØGLETAL", "TID", "INDHOLD"
LONG_COLUMNS = (AREA, KEY_FIGURE, TIME, CONTENT)
KEY_FIGURES: dict[str, tuple[str, str]] = {  # NØGLETAL as DST writes it → (indicator, unit)
    "Gennemsnitlig bruttoindkomst 15-64 år": ("gennemsnitlig_bruttoindkomst_15_64", "dkk"),
    "Andel ikke-vestlige indvandrere og efterkommere": ("andel_ikke_vestlige", "percent"),
    "Andel 18-64 årige uden tilknytning": ("andel_18_64_uden_tilknytning", "percent"),
    "Andel 30-59 årige kun grundskole": ("andel_30_59_kun_grundskole", "percent"),
    "Kriminalretlige afgørelser pr. 1000 beboere": ("kriminalretlige_afgoerelser_pr_1000", "rate_per_1000"),
}
_BY_FOLDED_NAME = {fold(name): figure for name, figure in KEY_FIGURES.items()}
# The web table's two stub columns have blank headings; errors name them like this.
WEB_KEY_FIGURE, WEB_AREA = "nøgletal (1. kolonne)", "område (2. kolonne)"
WEB_STUBS = 2
CONTENT_EXPECTED = "et tal ≥ 0 (decimalkomma), '..' (fortroligt) eller '-'"


@dataclass(frozen=True)
class KeyFigureCell:
    """One cell of the download in either layout, with the column names its errors point at."""

    row: int
    area: str
    key_figure: str
    year: str
    content: str
    area_column: str = AREA
    key_figure_column: str = KEY_FIGURE
    year_column: str = TIME
    content_column: str = CONTENT


def _is_web_header(cells: list[str]) -> bool:
    """`" ";" ";"2017";"2018"`: the blank stub cells, then at least one period."""
    return len(cells) > WEB_STUBS and not any(cells[:WEB_STUBS]) and any(cells[WEB_STUBS:])


def _is_long_header(cells: list[str]) -> bool:
    return len({fold(c) for c in cells} & {fold(c) for c in LONG_COLUMNS}) >= 2


def _layout_is_web_table(rows: list[tuple[int, list[str]]]) -> bool:
    for _, cells in rows:
        if _is_long_header(cells):
            return False
        if _is_web_header(cells):
            return True
    return False


def _long_cells(table: RawTable) -> list[KeyFigureCell]:
    return [KeyFigureCell(row.number, row[AREA], row[KEY_FIGURE], row[TIME], row[CONTENT]) for row in table.rows]


def _web_table(file_name: str, rows: list[tuple[int, list[str]]]) -> RawTable:
    """The web table as a RawTable: columns = the two stubs and the years; titles and footnotes kept for the scan."""
    position = next(i for i, (_, cells) in enumerate(rows) if _is_web_header(cells))
    header_row, header = rows[position]
    years = header[WEB_STUBS:]
    while years and not years[-1]:
        years.pop()  # a trailing `;`
    for offset, year in enumerate(years):
        if not (year.isdigit() and len(year) == 4):
            raise DeliveryRejected(file_name, f"kolonneoverskriften '{year or 'tom'}' er ikke et årstal",
                                   "årstal (ÅÅÅÅ) som kolonneoverskrifter efter de to tomme forspalteceller"
                                   + _quarter_note(year),
                                   row=header_row, column=f"{WEB_STUBS + offset + 1}. kolonne")
    columns = [WEB_KEY_FIGURE, WEB_AREA, *years]
    preamble = [RawRow(n, {PREAMBLE_COLUMN: " ".join(c for c in cells if c)}) for n, cells in rows[:position]
                if any(cells)]
    body = []
    for number, cells in rows[position + 1:]:
        if not any(cells):
            continue
        body.append(RawRow(number, {column: cells[i] if i < len(cells) else "" for i, column in enumerate(columns)}))
        if len(cells) > len(columns) and any(cells[len(columns):]):
            raise DeliveryRejected(file_name, "en værdi uden årstal i overskriften",
                                   f"højst {len(years)} værdier pr. række (én pr. årstal i overskriften)",
                                   row=number, column=f"{len(columns) + 1}. kolonne")
    data, notes = split_trailing_notes(body, years)
    if not data:
        raise DeliveryRejected(file_name, "tabellen har ingen rækker med værdier",
                               "mindst én række pr. område under årstallene", row=header_row)
    return RawTable(file_name, columns, data, [], preamble, notes=notes)


def _web_cells(table: RawTable, context: ParseContext) -> list[KeyFigureCell]:
    """One cell per area row and year; the key figure is the last grouping row's (or the row's own stub).

    A table pivoted the other way round (areas as grouping rows, key figures as rows) is read too.
    """
    years = table.columns[WEB_STUBS:]
    group = ""
    out = []
    for row in table.rows:
        if row[WEB_KEY_FIGURE]:
            group = row[WEB_KEY_FIGURE]
        if not any(row[year] for year in years) and not row[WEB_AREA]:
            continue  # a grouping row: it names the key figure of the rows below it
        if not group:
            raise DeliveryRejected(table.file_name, "en områderække før det første nøgletal",
                                   "en grupperingsrække med nøgletallets navn over områderækkerne",
                                   row=row.number, column=WEB_KEY_FIGURE)
        area, key_figure, columns = row[WEB_AREA], group, (WEB_AREA, WEB_KEY_FIGURE)
        if fold(area) in _BY_FOLDED_NAME and context.areas.lookup(group) is not None:
            area, key_figure, columns = group, area, (WEB_KEY_FIGURE, WEB_AREA)
        out += [KeyFigureCell(row.number, area, key_figure, year, row[year], *columns, year, year) for year in years]
    return out


def _quarter_note(text: str) -> str:
    """StatBank writes quarters `2018K1`; the key figures are yearly, so the table must be downloaded per year."""
    quarter = statbank_period(text)
    if quarter is None or "Q" not in quarter.label:
        return ""
    return (f" ('{text}' er Danmarks Statistiks skrivemåde for kvartalet {quarter.label}; nøgletallene er årlige, så "
            "vælg år, ikke kvartaler, som tid i Statistikbanken)")


def _observation(cell: KeyFigureCell, file_name: str, name: FileName, context: ParseContext) -> Observation:
    area_key = context.areas.resolve(cell.area, file_name=file_name, row=cell.row, column=cell.area_column)
    key_figure = _BY_FOLDED_NAME.get(fold(canonical_value(KEY_FIGURE, cell.key_figure)))
    if key_figure is None:
        raise DeliveryRejected(file_name, f"ukendt nøgletal '{cell.key_figure}'",
                               "et af nøgletallene: " + "; ".join(KEY_FIGURES)
                               + unknown_value_hint(KEY_FIGURE, cell.key_figure, KEY_FIGURES), row=cell.row,
                               column=cell.key_figure_column)
    if not (cell.year.isdigit() and len(cell.year) == 4):
        raise DeliveryRejected(file_name, f"'{cell.year}' er ikke et årstal",
                               "et årstal (ÅÅÅÅ)" + _quarter_note(cell.year), row=cell.row, column=cell.year_column)
    period = year_period(int(cell.year))
    require_period_in_file(period, name, file_name=file_name, row=cell.row, column=cell.year_column)
    value = require_number(cell.content, file_name=file_name, row=cell.row, column=cell.content_column,
                           expected=CONTENT_EXPECTED)
    indicator, unit = key_figure
    return Observation(indicator, area_key, period, value, unit, cell.row, cell.area)


class DstNoegletalParser(AggregateParser):
    source_system = "dst_noegletal"
    extensions = ("csv",)
    columns = LONG_COLUMNS  # the long layout; the StatBank web table is recognised by its shape
    area_figures = AreaFigures.SHARES  # shares and means per area, no counts: the areas cannot be pooled
    indicators: ClassVar[Mapping[str, Indicator]] = {code: Indicator(unit) for code, unit in KEY_FIGURES.values()}
    period_columns: tuple[str, ...] = (TIME,)
    years_as_columns = True
    key_values: ClassVar[dict[str, tuple[str, ...]]] = {KEY_FIGURE: tuple(KEY_FIGURES)}

    def parse(self, path: Path, name: FileName, context: ParseContext) -> ParsedDelivery:
        rows = delimited_rows(path)
        if _layout_is_web_table(rows):
            table = _web_table(path.name, rows)
            cells = _web_cells(table, context)
        else:
            table = read_delimited(path, LONG_COLUMNS, value_columns=(CONTENT,))
            cells = _long_cells(table)
        reject_personal_data([table])
        observations = [_observation(cell, path.name, name, context) for cell in cells
                        if not (is_total_label(cell.area) or is_note_label(cell.area))]
        if not observations:
            raise DeliveryRejected(path.name, "filen har kun total- eller noterækker", "mindst én række for et område")
        reject_repeated_cells(observations, path.name, column=cells[0].area_column)
        return ParsedDelivery(observations_frame(observations), unknown_column_warnings(table, path))


PARSER = DstNoegletalParser()
