"""Which form (source system, file type) a delivery has, and its period: from its content only.

A form fits a table when the table has a row holding every column of the form's header (any order, any case),
in a sheet the form names when the file is a workbook. Among the forms that fit, the closed value lists decide
(indicator codes, the catalog's criterion ids, verdicts, key figures): a form whose lists know every value
beats one that knows some, which beats one that knows none; then the one that knows more values (an assessment
file's criterion ids: the catalog's criteria of each source), then the longer header. Two forms of different
systems left equal are a tie: nothing is decided. A table with no header at all may still be told by its values
alone (Danmarks Statistik's web table).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.delivery.readers import clean_cell, fold
from pipelines.privacy.detector import mask_cpr
from pipelines.receive import periods
from pipelines.receive.forms import Form
from pipelines.receive.reading import Grid, Rows

HEADERLESS_MIN_VALUES = 2  # distinct known values a headerless table needs to count as a form's


@dataclass(frozen=True)
class Fit:
    """A form found in one table of the file: where its header is, and what its value lists said."""

    form: Form
    sheet: str | None
    header_index: int | None  # index into the table's rows; None: told by values alone
    known: int = 0
    unknown: int = 0

    @property
    def rank(self) -> tuple[int, int, int]:
        if not self.form.key_values:
            evidence = 2
        elif self.known and not self.unknown:
            evidence = 3
        elif self.known:
            evidence = 1
        else:
            evidence = 0
        return evidence, self.known, len(self.form.header) if self.header_index is not None else 0


@dataclass
class Identification:
    """What receiving decided for one file: a form and a period, or why not (Danish)."""

    form: Form | None = None
    period: str | None = None
    reasons: list[str] = field(default_factory=list)  # why, in Danish, one line each
    problem: str | None = None  # set when nothing can be filed; Danish
    considered: list[str] = field(default_factory=list)
    headers_seen: list[str] = field(default_factory=list)


def _header_index(rows: Rows, header: tuple[str, ...]) -> int | None:
    wanted = {fold(c) for c in header}
    for index, (_, cells) in enumerate(rows):
        if wanted <= {fold(c) for c in cells if c}:
            return index
    return None


def _column_values(rows: Rows, header_index: int, column: str) -> list[str]:
    header = [fold(c) for c in rows[header_index][1]]
    if fold(column) not in header:
        return []
    position = header.index(fold(column))
    return [clean_cell(cells[position]) for _, cells in rows[header_index + 1:] if position < len(cells)]


def _key_counts(form: Form, rows: Rows, header_index: int) -> tuple[int, int]:
    known = unknown = 0
    for column, allowed in form.key_values.items():
        values = {fold(v) for v in _column_values(rows, header_index, column) if periods.is_data_value(v)}
        known += len(values & allowed)
        if column not in form.open_columns:
            unknown += len(values - allowed)
    return known, unknown


def _tables_for(form: Form, grid: Grid) -> list[tuple[str | None, Rows]]:
    if grid.extension not in form.extensions:
        return []
    if not grid.is_workbook:
        return list(grid.sheets.items())
    wanted = {fold(s) for s in form.sheets}
    return [(sheet, rows) for sheet, rows in grid.sheets.items() if sheet is not None and fold(sheet) in wanted]


def fits_of(form: Form, grid: Grid) -> list[Fit]:
    fits = []
    for sheet, rows in _tables_for(form, grid):
        index = _header_index(rows, form.header)
        if index is not None:
            fits.append(Fit(form, sheet, index, *_key_counts(form, rows, index)))
    return fits


def headerless_fits(form: Form, grid: Grid) -> list[Fit]:
    """A table without the form's header whose cells hold at least two values of the form's lists."""
    if not form.key_values:
        return []
    allowed = frozenset().union(*form.key_values.values())
    fits = []
    for sheet, rows in _tables_for(form, grid):
        seen = {fold(c) for _, cells in rows for c in cells if c}
        known = len(seen & allowed)
        if known >= HEADERLESS_MIN_VALUES:
            fits.append(Fit(form, sheet, None, known, 0))
    return fits


def header_lines(grid: Grid, limit: int = 2) -> list[str]:
    """The first non-empty rows of each table, CPR numbers masked: what the analyst is shown as 'headers seen'."""
    lines = []
    for sheet, rows in grid.sheets.items():
        shown = [";".join(c for c in cells) for _, cells in rows if any(cells)][:limit]
        prefix = f"ark {sheet}: " if sheet is not None else ""
        lines += [prefix + mask_cpr(line, numeric=True)[:200] for line in shown]
    return lines


def best_fits(forms: list[Form], grid: Grid) -> list[Fit]:
    """The fits that share the best rank (several when forms tie)."""
    fits = [fit for form in forms for fit in fits_of(form, grid)]
    if not fits:
        fits = [fit for form in forms for fit in headerless_fits(form, grid)]
    if not fits:
        return []
    best = max(fit.rank for fit in fits)
    return [fit for fit in fits if fit.rank == best]


def _years_row(rows: Rows) -> list[str]:
    """The first row whose filled cells are all years (a web table's heading): its cells."""
    for _, cells in rows:
        filled = [clean_cell(c) for c in cells if clean_cell(c)]
        if filled and all(periods.from_year_headings([c]) for c in filled):
            return filled
    return []


def _rows_of(fit: Fit, grid: Grid) -> Rows:
    return grid.sheets[fit.sheet]


def read_period(fits: list[Fit], grid: Grid) -> periods.PeriodReading:
    """The period of a file identified as `fits[0].form`, from its content (module docstring of periods)."""
    form = fits[0].form
    with_header = [fit for fit in fits if fit.header_index is not None]
    columns = form.period_columns
    if columns and with_header:
        values = [[v for fit in with_header for v in _column_values(_rows_of(fit, grid), fit.header_index, column)
                   if periods.is_data_value(v)] for column in columns]
        token = periods.from_extract(*values) if len(columns) == 2 else periods.from_values(values[0])
        if token:
            where = "de år, rækkernes perioder dækker (" + " og ".join(columns) + ")" if len(columns) == 2 \
                else f"kolonnen {columns[0]}"
            return periods.PeriodReading(token, where)
    if form.years_as_columns:
        cells = [c for fit in fits for c in (_rows_of(fit, grid)[fit.header_index][1] if fit.header_index is not None
                                             else _years_row(_rows_of(fit, grid)))]
        if token := periods.from_year_headings(cells):
            return periods.PeriodReading(token, "årstallene over kolonnerne")
    used = {fit.sheet for fit in fits}
    other_cells = [c for sheet, rows in grid.sheets.items() if sheet not in used for _, cells in rows for c in cells]
    if token := periods.from_template_property(other_cells):
        return periods.PeriodReading(token, f"skabelonens felt '{periods.TEMPLATE_PERIOD_LABEL}'")
    titles = [" ".join(c for c in cells if c) for fit in fits
              for _, cells in _rows_of(fit, grid)[:fit.header_index or 0]]
    token, named = periods.from_titles(titles)
    if token:
        return periods.PeriodReading(token, "titlen over tabellen: " + mask_cpr(_first_with(titles, token)))
    if len(named) > 1:
        return periods.PeriodReading(None, "titlen over tabellen nævner flere perioder (" + ", ".join(named) + ")")
    searched = f"kolonnen {' og '.join(columns)}, " if columns else ""
    searched += "årstal over kolonnerne, " if form.years_as_columns else ""
    return periods.PeriodReading(None, f"ingen periode fundet i indholdet (ledt i {searched}titlen over tabellen)")


def _first_with(lines: list[str], token: str) -> str:
    digits = token[:4]
    return next((line for line in lines if digits in line), token)[:120]


def identify(grid: Grid, forms: list[Form], *, system: str | None = None,
             period: str | None = None) -> Identification:
    """Decide form and period for one file's content; `system` and `period` are the analyst's options."""
    result = Identification(headers_seen=header_lines(grid))
    candidates = [f for f in forms if system is None or f.source_system == system]
    if system is not None and not candidates:
        result.problem = f"--system {system} er ikke et kendt kildesystem"
        return result
    fits = best_fits(candidates, grid)
    stems = list(dict.fromkeys(fit.form.stem for fit in fits))
    if not fits and system is not None and len(candidates) == 1:
        fits = [Fit(candidates[0], next(iter(grid.sheets)), None)]
        stems = [candidates[0].stem]
        result.reasons.append(f"kildesystemet {system} er givet med --system (overskriften blev ikke genkendt)")
    if not fits:
        result.considered = sorted({f.source_system for f in candidates})
        result.problem = "ingen kilde passer på indholdet (overskrift, ark og kendte værdier)"
        return result
    if len(stems) > 1:
        result.considered = stems
        result.problem = "flere kilder passer lige godt: " + ", ".join(stems)
        return result
    fits = [fit for fit in fits if fit.form.stem == stems[0]]
    result.form = fits[0].form
    if not result.reasons:
        result.reasons.append(_why(fits[0], system))
    if period is not None:
        result.period = period
        result.reasons.append(f"perioden {period} er givet med --period")
        return result
    reading = read_period(fits, grid)
    if reading.token is None:
        result.problem = f"perioden kan ikke læses af indholdet: {reading.where_da}"
        return result
    result.period = reading.token
    result.reasons.append(f"perioden {reading.token} er læst i {reading.where_da}")
    return result


def _why(fit: Fit, system: str | None) -> str:
    form = fit.form
    where = f" i arket {fit.sheet}" if fit.sheet else ""
    if fit.header_index is None:
        text = f"{fit.known} af cellerne{where} er kendte værdier for {form.stem} ({', '.join(form.key_values)})"
    else:
        text = f"overskriften {';'.join(form.header)}{where} passer på {form.stem}"
        if form.key_values:
            text += f", og {fit.known} værdier i {', '.join(form.key_values)} er kendte for den"
            if fit.unknown:
                text += f" ({fit.unknown} ukendte)"
    return text + (" (kilden er givet med --system)" if system else "")
