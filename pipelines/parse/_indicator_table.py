"""The common long layout of the small yearly indicator files (source_formats.md, section 15).

`År;Område;Indikator;Værdi;Tæller;Nævner;Kilde`, one file per source and year, shared by
event_attendance_estimate, media_monitoring, web_analytics, local_substance_survey,
misbrug_treatment_registry, partnership_followup and vive_lbf_survey. Each of those modules defines
`PARSER = IndicatorTableParser(...)` with its own indicator codes; this module defines no PARSER,
so the registry skips it.

Period reading (our choice, documented here and in the report): `År` is either the year (`2019`) or a
stock date (`2017-10-01`, "opgørelsen pr. 1.10.2017"). Either way the observation's `period` is the
calendar year, the contract's yearly label that the criteria's baseline periods (readings.yaml:
`baseline_period: 2017`) and the GX suites' `file_periods` use; a stock date is kept as the row's
`period_start` = `period_end`. Only stock indicators (a status at a date: shares, a count of persons in
treatment) may carry a date; flows (media stories, visitors, events, meetings) cover the whole year.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import ClassVar

from pipelines.delivery.aliases import canonical_value, unknown_value_hint
from pipelines.delivery.errors import DeliveryRejected
from pipelines.delivery.filenames import FileName
from pipelines.delivery.readers import (
    Cell,
    CellKind,
    RawRow,
    RawTable,
    clean_cell,
    fold,
    is_note_label,
    is_total_label,
    located_in_cells,
    read_table,
)
from pipelines.parse.base import (
    AggregateParser,
    Indicator,
    Observation,
    ParseContext,
    ParsedDelivery,
    observations_frame,
    reject_personal_data,
    require_date_in_file,
    require_number,
    require_period_in_file,
)
from pipelines.periods import Period, year_period

YEAR, AREA, INDICATOR, VALUE = "År", "Område", "Indikator", "Værdi"
NUMERATOR, DENOMINATOR, SOURCE = "Tæller", "Nævner", "Kilde"
DESCRIPTION = "Beskrivelse"  # the indicator's Danish text in a filled template; not read
REQUIRED_COLUMNS = (YEAR, AREA, INDICATOR, VALUE)
OPTIONAL_COLUMNS = (NUMERATOR, DENOMINATOR, SOURCE, DESCRIPTION)
TEMPLATE_SHEET = "Registrering"  # the sheet of an XLSX delivery (a filled template from `kpi templates`)
PERCENT = "percent"
_YEAR_TEXT = re.compile(r"^\d{4}$")
_DATE_TEXT = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_VALUE_EXPECTED = "et tal ≥ 0, '.' (diskretioneret) eller '-' (ikke opgjort)"


def count(*, stock: bool = False) -> Indicator:
    return Indicator("count", stock)


def share(*, stock: bool = True) -> Indicator:
    return Indicator(PERCENT, stock)


@dataclass(frozen=True)
class IndicatorTableParser(AggregateParser):
    """Parser for one source system's yearly indicator file in the common layout."""

    source_system: str
    indicators: Mapping[str, Indicator] = field()  # a field of its own: not AggregateParser's class default
    shares_need_counts: bool = False  # Tæller and Nævner required on every share row that has a value

    extensions: ClassVar[tuple[str, ...]] = ("csv", "xlsx")
    columns: ClassVar[tuple[str, ...]] = REQUIRED_COLUMNS
    sheets: ClassVar[tuple[str, ...]] = (TEMPLATE_SHEET,)
    period_columns: ClassVar[tuple[str, ...]] = (YEAR,)

    @property
    def key_values(self) -> dict[str, tuple[str, ...]]:
        return {INDICATOR: tuple(self.indicators)}

    def parse(self, path: Path, name: FileName, context: ParseContext) -> ParsedDelivery:
        table = read_table(path, REQUIRED_COLUMNS, OPTIONAL_COLUMNS, sheet=TEMPLATE_SHEET,
                           value_columns=(VALUE, NUMERATOR, DENOMINATOR))
        reject_personal_data([table])
        warnings = [f"{path.name}: ukendt kolonne '{c}' ignoreret" for c in table.unknown_columns]
        with located_in_cells(table):
            observations = self._observations(table, name, context)
        return ParsedDelivery(observations_frame(observations), warnings)

    def _observations(self, table: RawTable, name: FileName, context: ParseContext) -> list[Observation]:
        observations: list[Observation] = []
        seen: dict[tuple[str, str, str], int] = {}
        for row in table.rows:
            if _is_skipped(row):
                continue
            observation = self._row_observation(row, table.file_name, name, context)
            if observation is None:
                continue
            key = (observation.indicator, observation.area_key, observation.period.label)
            if key in seen:
                raise DeliveryRejected(
                    table.file_name,
                    f"{observation.indicator} for {row[AREA]} i {observation.period.label} står også i række "
                    f"{seen[key]}",
                    "én række pr. indikator, område og år (en helårsværdi, ikke en sum af delperioder)",
                    row=row.number, column=INDICATOR)
            seen[key] = row.number
            observations.append(observation)
        return observations

    def _row_observation(self, row: RawRow, file_name: str, name: FileName,
                         context: ParseContext) -> Observation | None:
        code, indicator = self._indicator(row, file_name)
        period = _period(row, indicator, code, file_name, name)
        area_key = context.areas.resolve(row[AREA], file_name=file_name, row=row.number, column=AREA)
        cell = require_number(row[VALUE], file_name=file_name, row=row.number, column=VALUE,
                              expected=_VALUE_EXPECTED)
        if cell.kind is CellKind.MISSING:
            return None
        numerator, denominator = self._counts(row, indicator, cell, file_name)
        if cell.kind is CellKind.VALUE:
            _check_value(row, indicator, cell, file_name, numerator, denominator)
        label = "; ".join(part for part in (clean_cell(row[AREA]), _source_note(row)) if part)
        return Observation(code, area_key, period, cell, indicator.unit, row.number, label,
                           numerator=numerator, denominator=denominator)

    def _indicator(self, row: RawRow, file_name: str) -> tuple[str, Indicator]:
        by_folded = {fold(code): code for code in self.indicators}
        code = by_folded.get(fold(canonical_value(INDICATOR, row[INDICATOR])))
        if code is None:
            raise DeliveryRejected(file_name, f"ukendt indikator '{clean_cell(row[INDICATOR])}'",
                                   f"en af indikatorkoderne for {self.source_system}: " + ", ".join(self.indicators)
                                   + unknown_value_hint(INDICATOR, clean_cell(row[INDICATOR]), self.indicators),
                                   row=row.number, column=INDICATOR)
        return code, self.indicators[code]

    def _counts(self, row: RawRow, indicator: Indicator, cell: Cell,
                file_name: str) -> tuple[float | None, float | None]:
        """Tæller and Nævner: whole numbers ≥ 0, only on shares; required on shares when the source says so."""
        if cell.kind is CellKind.SUPPRESSED:
            return None, None  # a hidden share keeps its counts hidden too
        if indicator.unit != PERCENT:
            reject_counts_beside_a_count(row, file_name)
            return None, None
        return share_counts(row, file_name, required=self.shares_need_counts)


def reject_counts_beside_a_count(row: RawRow, file_name: str) -> None:
    """Tæller and Nævner belong to shares only: a count row must leave them empty."""
    for column in (NUMERATOR, DENOMINATOR):
        if text := clean_cell(row[column]):
            raise DeliveryRejected(file_name, f"'{text}' i {column} for et antal",
                                   f"{column} tom; Tæller og Nævner udfyldes kun for andele (…_pct)",
                                   row=row.number, column=column)


def share_counts(row: RawRow, file_name: str, *, required: bool) -> tuple[float | None, float | None]:
    """A share's Tæller and Nævner: (None, None) when both are empty and not required (an older file),
    else whole numbers ≥ 0 with Nævner > 0 and Tæller ≤ Nævner. Rule 8 checks a share by these counts."""
    if not required and not any(clean_cell(row[column]) for column in (NUMERATOR, DENOMINATOR)):
        return None, None
    numerator, denominator = (_whole_count(row, column, file_name) for column in (NUMERATOR, DENOMINATOR))
    if denominator == 0:
        raise DeliveryRejected(file_name, "Nævner er 0", "et antal større end 0 i Nævner",
                               row=row.number, column=DENOMINATOR)
    if numerator > denominator:
        raise DeliveryRejected(file_name, f"Tæller {numerator:g} er større end Nævner {denominator:g}",
                               "Tæller ≤ Nævner", row=row.number, column=NUMERATOR)
    return numerator, denominator


def _is_skipped(row: RawRow) -> bool:
    """Note rows below the data (`Kilde: …`, `Anm.: …`) and total rows (`I alt`) are tolerated and skipped."""
    return is_note_label(row[YEAR]) or is_total_label(row[AREA])


def _period(row: RawRow, indicator: Indicator, code: str, file_name: str, name: FileName) -> Period:
    text = clean_cell(row[YEAR])
    expected = "et årstal ÅÅÅÅ" + (" eller en opgørelsesdato ÅÅÅÅ-MM-DD" if indicator.stock else "")
    if _YEAR_TEXT.match(text):
        period = year_period(int(text))
        require_period_in_file(period, name, file_name=file_name, row=row.number, column=YEAR)
        return period
    match = _DATE_TEXT.match(text)
    if match and not indicator.stock:
        raise DeliveryRejected(file_name, f"datoen '{text}' for {code}, der gælder hele året",
                               "et årstal ÅÅÅÅ (helårsværdi, ikke en opgørelsesdato)", row=row.number, column=YEAR)
    try:
        day = date(int(match[1]), int(match[2]), int(match[3])) if match else None
    except ValueError:
        day = None
    if day is None:
        raise DeliveryRejected(file_name, f"'{text}' er hverken et årstal eller en dato", expected,
                               row=row.number, column=YEAR)
    require_date_in_file(day, name, file_name=file_name, row=row.number, column=YEAR)
    return Period(day, day, str(day.year))


def _whole_count(row: RawRow, column: str, file_name: str) -> float:
    text = clean_cell(row[column])
    expected = f"et helt tal ≥ 0 i {column} (påkrævet for andele)"
    cell = require_number(text, file_name=file_name, row=row.number, column=column, expected=expected)
    if cell.kind is not CellKind.VALUE or not _is_whole(cell.value):
        raise DeliveryRejected(file_name, f"'{text}' er ikke et helt tal" if text else f"{column} er tom",
                               expected, row=row.number, column=column)
    return cell.value


def _is_whole(value: float | None) -> bool:
    return value is not None and math.isfinite(value) and value.is_integer()


def _check_value(row: RawRow, indicator: Indicator, cell: Cell, file_name: str,
                 numerator: float | None, denominator: float | None) -> None:
    value = cell.value
    if indicator.unit != PERCENT:
        if not _is_whole(value):
            raise DeliveryRejected(file_name, f"'{row[VALUE]}' er ikke et helt tal", "et antal (helt tal ≥ 0)",
                                   row=row.number, column=VALUE)
        return
    if value > 100:
        raise DeliveryRejected(file_name, f"andelen {row[VALUE]} er over 100", "en andel mellem 0 og 100",
                               row=row.number, column=VALUE)
    check_share_value(row, VALUE, value, numerator, denominator, file_name)


def check_share_value(row: RawRow, column: str, value: float, numerator: float | None, denominator: float | None,
                      file_name: str) -> None:
    """A share given with its counts must be Tæller / Nævner × 100, up to the rounding of the text."""
    if numerator is None or denominator is None:
        return
    computed = numerator / denominator * 100
    if abs(value - computed) > _rounding_tolerance(row[column]):
        shown = f"{computed:.2f}".replace(".", ",")
        raise DeliveryRejected(file_name, f"{column} {clean_cell(row[column])} passer ikke med Tæller/Nævner "
                                          f"({numerator:g}/{denominator:g} = {shown} %)",
                               f"{column} = Tæller / Nævner × 100 (afrundet)", row=row.number, column=column)


def _rounding_tolerance(text: str) -> float:
    """Half a unit of the last decimal shown: `12,5` may stand for 12,45–12,55, `13` for 12,5–13,5.

    Called for shares ≤ 100 only, so a lone `.` is a decimal point there, never a thousands separator.
    """
    raw = clean_cell(text).replace(" ", "").removesuffix("%")
    separator = "," if "," in raw else "."
    decimals = len(raw.split(separator, 1)[1]) if separator in raw else 0
    return 0.5 * 10 ** -decimals + 1e-9


def _source_note(row: RawRow) -> str:
    source = clean_cell(row[SOURCE])
    return f"Kilde: {source}" if source else ""
