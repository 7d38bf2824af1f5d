"""BL / DST nøgletal workbooks: one sheet per table, areas as rows, data years as columns (section 1)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipelines.delivery.errors import DeliveryRejected
from pipelines.delivery.filenames import FileName
from pipelines.delivery.readers import (
    Cell,
    CellKind,
    RawTable,
    fold,
    is_note_label,
    is_total_label,
    read_xlsx_sheet,
    scan_other_sheets,
    xlsx_sheet_names,
)
from pipelines.parse.base import (
    AggregateParser,
    Observation,
    ParseContext,
    ParsedDelivery,
    observations_frame,
    reject_personal_data,
    require_number,
    require_period_in_file,
)
from pipelines.periods import year_period

AREA_COLUMN = "Område"
LABEL_COLUMNS = ("Aldersgruppe", "Mål")


@dataclass(frozen=True)
class SheetSpec:
    """How one sheet maps to indicators: by row label when the sheet has a label column."""

    indicators: dict[str | None, tuple[str, str]]  # folded row label (None: no label column) → (indicator, unit)


SHEETS: dict[str, SheetSpec] = {
    "Kriminalitet": SheetSpec({None: ("kriminalretlige_afgoerelser_pr_1000", "rate_per_1000")}),
    "Beboere": SheetSpec({None: ("beboere", "count")}),
    "Uden beskaeftigelse": SheetSpec({
        "18-64 årige": ("fuldtidspersoner_uden_beskaeftigelse_18_64", "fte_persons"),
        "18-29 årige": ("fuldtidspersoner_uden_beskaeftigelse_18_29", "fte_persons"),
        "18-29 åriges % - del af det samlede antal": ("andel_18_29_af_uden_beskaeftigelse", "percent"),
    }),
    "Grundskole 18-29": SheetSpec({
        "18-29 årige i alt": ("beboere_18_29", "count"),
        "heraf grundskole som højest fuldførte uddannelse": ("grundskole_hoejest_18_29", "count"),
    }),
}
CRIME, RESIDENTS = "kriminalretlige_afgoerelser_pr_1000", "beboere"
BASIC_EDU_SHARE = "andel_grundskole_18_29"


def _is_header(cells: list[str]) -> bool:
    return bool(cells) and fold(cells[0]) == fold(AREA_COLUMN)


def _value_columns(columns: list[str]) -> list[str]:
    """Every column after Område and the label column: the data years."""
    return [c for c in columns if c != AREA_COLUMN and c not in LABEL_COLUMNS]


def _year_columns(table: RawTable, name: FileName) -> list[tuple[str, int]]:
    years = []
    for column in table.columns:
        if column == AREA_COLUMN or column in LABEL_COLUMNS:
            continue
        if not column.isdigit() or len(column) != 4:
            raise DeliveryRejected(name_of(table), f"kolonneoverskriften '{column}' er ikke et årstal",
                                   "årstal (ÅÅÅÅ) som kolonneoverskrifter efter Område", column=column)
        years.append((column, int(column)))
    if not years:
        raise DeliveryRejected(name_of(table), "ingen årskolonner", "mindst én kolonne med et årstal")
    return years


def name_of(table: RawTable) -> str:
    return table.file_name


class BlTablesParser(AggregateParser):
    source_system = "bl_tables"
    extensions = ("xlsx",)
    columns = (AREA_COLUMN,)  # on each sheet, below a title
    sheets = tuple(SHEETS)

    def parse(self, path: Path, name: FileName, context: ParseContext) -> ParsedDelivery:
        sheets = xlsx_sheet_names(path)
        warnings = [f"{path.name}: ukendt ark '{s}' ignoreret" for s in sheets if s not in SHEETS]
        tables = {
            sheet: read_xlsx_sheet(path, sheet, [AREA_COLUMN], LABEL_COLUMNS, is_header=_is_header,
                                   value_columns=_value_columns)
            for sheet in sheets
            if sheet in SHEETS
        }
        if not tables:
            raise DeliveryRejected(path.name, "projektmappen har ingen kendte ark",
                                   "mindst ét af arkene " + ", ".join(SHEETS))
        ignored_sheets = [s for s in sheets if s not in SHEETS]
        reject_personal_data(tables.values(), extra_cells=scan_other_sheets(path, ignored_sheets))
        observations: list[Observation] = []
        for sheet, table in tables.items():
            warnings += [f"{path.name}: ark {sheet}: ukendt kolonne '{c}' ignoreret" for c in table.unknown_columns
                         if not c.isdigit()]
            observations += self._sheet_observations(sheet, table, name, context)
        observations = _with_crime_denominators(observations)
        observations += _basic_education_shares(observations)
        return ParsedDelivery(observations_frame(observations), warnings)

    def _sheet_observations(self, sheet: str, table: RawTable, name: FileName,
                            context: ParseContext) -> list[Observation]:
        spec = SHEETS[sheet]
        label_column = next((c for c in LABEL_COLUMNS if c in table.columns), None)
        years = _year_columns(table, name)
        out = []
        for row in table.rows:
            area_label = row[AREA_COLUMN]
            if not area_label or is_total_label(area_label) or is_note_label(area_label):
                continue
            area_key = context.areas.resolve(area_label, file_name=table.file_name, row=row.number,
                                             column=AREA_COLUMN)
            row_label = fold(row[label_column]) if label_column else None
            indicator = {(fold(k) if k else None): v for k, v in spec.indicators.items()}.get(row_label)
            if indicator is None:
                raise DeliveryRejected(table.file_name, f"ukendt rækkebetegnelse '{row[label_column]}'",
                                       "en af " + "; ".join(k for k in spec.indicators if k), row=row.number,
                                       column=label_column)
            code, unit = indicator
            for column, year in years:
                expected = f"et tal ≥ 0, '..' (diskretioneret) eller '-' (ikke opgjort) i ark {sheet}"
                cell = require_number(row[column], file_name=table.file_name, row=row.number, column=column,
                                      expected=expected)
                if cell.kind is CellKind.MISSING:
                    continue
                period = year_period(year)
                require_period_in_file(period, name, file_name=table.file_name, row=row.number, column=column)
                out.append(Observation(code, area_key, period, cell, unit, row.number, area_label))
        return out


def _with_crime_denominators(observations: list[Observation]) -> list[Observation]:
    """Attach residents as denominator so areas can be pooled: numerator = rate × beboere / 1000."""
    residents = {(o.area_key, o.period): o.cell.value for o in observations
                 if o.indicator == RESIDENTS and o.cell.kind is CellKind.VALUE}
    out = []
    for o in observations:
        population = residents.get((o.area_key, o.period))
        if o.indicator == CRIME and population and o.cell.kind is CellKind.VALUE:
            o = Observation(o.indicator, o.area_key, o.period, o.cell, o.unit, o.source_row, o.label,
                            numerator=o.cell.value * population / 1000, denominator=population)
        out.append(o)
    return out


def _basic_education_shares(observations: list[Observation]) -> list[Observation]:
    """share = heraf grundskole / 18-29 årige i alt × 100, per area and year (section 1)."""
    totals = {(o.area_key, o.period): o for o in observations if o.indicator == "beboere_18_29"}
    out = []
    for o in observations:
        if o.indicator != "grundskole_hoejest_18_29" or (o.area_key, o.period) not in totals:
            continue
        total = totals[(o.area_key, o.period)]
        if CellKind.SUPPRESSED in (o.cell.kind, total.cell.kind):
            cell = Cell(CellKind.SUPPRESSED)
        elif total.cell.value:
            cell = Cell(CellKind.VALUE, o.cell.value / total.cell.value * 100)
        else:
            continue
        out.append(Observation(BASIC_EDU_SHARE, o.area_key, o.period, cell, "percent", o.source_row, o.label,
                               numerator=o.cell.value, denominator=total.cell.value))
    return out


PARSER = BlTablesParser()
