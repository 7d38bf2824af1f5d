"""Assessments and the ministry's list (source_formats.md section 17): one verdict per criterion, area and year.

`År;Område;Kriterie_id;Vurdering;Begrundelse;Kilde`, text may be quoted and contain `;`. A verdict is
stored as an observation of the criterion (indicator = Kriterie_id) with a score (opfyldt 1, delvist
0,5, ikke opfyldt 0, ikke vurderet none) and the Danish `Vurdering: Begrundelse (Kilde)` as label. The label
is free text from the delivery and stays in the internal file: the `status_reason` of a qualitative criterion
names only the verdict and its source (dbt macro stage_assessments, docs/privacy.d/20-cpr-and-free-text.md).
A CPR number in any cell, in any written form, rejects the file (`reject_personal_data`). This module defines
no PARSER; the modules of samarbejdsudvalg_evaluation, qualitative_interviews, lbf_central and
sub_list_government do.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from pipelines.delivery.errors import DeliveryRejected
from pipelines.delivery.filenames import FileName
from pipelines.delivery.readers import (
    Cell,
    CellKind,
    RawRow,
    RawTable,
    fold,
    is_note_label,
    is_total_label,
    located_in_cells,
    read_table,
)
from pipelines.parse._police import reject_repeated_cells, row_year, unknown_column_warnings
from pipelines.parse.base import (
    AggregateParser,
    AreaFigures,
    Indicator,
    Observation,
    ParseContext,
    ParsedDelivery,
    Yields,
    catalog_ids,
    observations_frame,
    reject_personal_data,
)

YEAR, AREA, CRITERION, VERDICT, REASON, SOURCE = "År", "Område", "Kriterie_id", "Vurdering", "Begrundelse", "Kilde"
CRITERION_TEXT = "Kriterium"  # the criterion's Danish text in a filled template; not read
TEMPLATE_SHEET = "Vurdering"  # the sheet of an XLSX delivery (a filled template from `kpi templates`)
ASSESSMENT_VERDICTS: dict[str, float | None] = {"opfyldt": 1.0, "delvist opfyldt": 0.5, "ikke opfyldt": 0.0,
                                                "ikke vurderet": None}


@dataclass(frozen=True)
class AssessmentParser(AggregateParser):
    """One source of verdicts; `indicator` fixed means the verdict is a measurement of that indicator."""

    source_system: str
    verdicts: dict[str, float | None]
    indicator: str | None = None  # None: the criterion itself (assessment); else a measured indicator
    extensions: ClassVar[tuple[str, ...]] = ("csv", "xlsx")
    columns: ClassVar[tuple[str, ...]] = (YEAR, AREA, CRITERION, VERDICT, REASON)
    sheets: ClassVar[tuple[str, ...]] = (TEMPLATE_SHEET,)

    @property
    def yields(self) -> Yields:
        return Yields.ASSESSMENTS if self.indicator is None else Yields.MEASUREMENTS

    @property
    def area_figures(self) -> AreaFigures:
        """Verdicts per area and for the areas together; the ministry's list is a 1/0 per area (summable)."""
        return AreaFigures.VERDICTS if self.indicator is None else AreaFigures.COUNTS

    @property
    def indicators(self) -> dict[str, Indicator]:
        return {} if self.indicator is None else {self.indicator: Indicator("count")}

    def parse(self, path: Path, name: FileName, context: ParseContext) -> ParsedDelivery:
        table = read_table(path, (YEAR, AREA, CRITERION, VERDICT, REASON), (SOURCE, CRITERION_TEXT),
                           sheet=TEMPLATE_SHEET, value_columns=(CRITERION, VERDICT))
        reject_personal_data([table])
        with located_in_cells(table):
            observations = self._observations(table, name, context)
        if not observations:
            raise DeliveryRejected(path.name, "filen har kun total- eller noterækker", "mindst én vurdering")
        reject_repeated_cells(observations, path.name)
        return ParsedDelivery(observations_frame(observations), unknown_column_warnings(table, path))

    def _observations(self, table: RawTable, name: FileName, context: ParseContext) -> list[Observation]:
        path_name = table.file_name
        known_ids = catalog_ids(context.reference_dir / "criteria.yaml")
        observations = []
        for row in table.rows:
            if is_total_label(row[AREA]) or is_note_label(row[YEAR]) or self._is_unfilled_template_row(table, row):
                continue
            area_key = context.areas.resolve(row[AREA], file_name=path_name, row=row.number, column=AREA)
            if row[CRITERION] not in known_ids:
                raise DeliveryRejected(path_name, f"ukendt kriterie-id '{row[CRITERION]}'", "et id fra criteria.yaml",
                                       row=row.number, column=CRITERION)
            score = self._score(row, path_name)
            observations.append(Observation(
                self.indicator or row[CRITERION], area_key, row_year(row, name, table),
                Cell(CellKind.VALUE, score), "assessment" if self.indicator is None else "count", row.number,
                _reason(row)))
        return observations

    @staticmethod
    def _is_unfilled_template_row(table: RawTable, row: RawRow) -> bool:
        """A prefilled template row the staff left empty: no verdict and no reason, nothing delivered."""
        return table.sheet is not None and not row[VERDICT] and not row[REASON]

    def _score(self, row: RawRow, file_name: str) -> float | None:
        verdict = fold(row[VERDICT])
        if verdict not in self.verdicts:
            raise DeliveryRejected(file_name, f"'{row[VERDICT] or 'tom'}'", "en af vurderingerne: " + ", ".join(
                self.verdicts), row=row.number, column=VERDICT)
        return self.verdicts[verdict]


def _reason(row: RawRow) -> str:
    """`Opfyldt: <Begrundelse> (<Kilde>)`, as delivered; kept internally, never published."""
    reason = f"{row[VERDICT].strip().capitalize()}: {row[REASON].strip()}"
    return f"{reason} ({row[SOURCE].strip()})" if row[SOURCE].strip() else reason
