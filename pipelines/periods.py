"""Reference periods: the labels of the contract and their first and last days."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})(0[1-9]|1[0-2])$")
_SPLIT_YEAR = re.compile(r"^(\d{4})/(\d{2})$")


@dataclass(frozen=True, order=True)
class Period:
    """A contract period label with its dates (`'2015'`, `'2018Q3'`, `'2018/19'`, `'201905'`)."""

    start: date
    end: date
    label: str

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def _last_day_of_month(year: int, month: int) -> date:
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def parse_period(label: str, *, split_year_starts_month: int = 8) -> Period:
    """Parse a contract period label. Split years (`2018/19`) are school years from 1 August by default."""
    if m := _YEAR.match(label):
        year = int(m[1])
        return Period(date(year, 1, 1), date(year, 12, 31), label)
    if m := _QUARTER.match(label):
        year, quarter = int(m[1]), int(m[2])
        first_month = 3 * quarter - 2
        return Period(date(year, first_month, 1), _last_day_of_month(year, first_month + 2), label)
    if m := _MONTH.match(label):
        year, month = int(m[1]), int(m[2])
        return Period(date(year, month, 1), _last_day_of_month(year, month), label)
    if m := _SPLIT_YEAR.match(label):
        year = int(m[1])
        if (year + 1) % 100 != int(m[2]):
            raise ValueError(f"split year {label!r} does not span two consecutive years")
        start = date(year, split_year_starts_month, 1)
        return Period(start, date(year + 1, split_year_starts_month, 1) - timedelta(days=1), label)
    raise ValueError(f"not a period label: {label!r}")


_STATBANK_QUARTER = re.compile(r"^(\d{4})\s*K\s*([1-4])$", re.IGNORECASE)


def statbank_period(text: str) -> Period | None:
    """A period as Danmarks Statistik writes it: `2018` or the quarter `2018K1` (→ `2018Q1`); else None."""
    text = text.strip()
    if text.isdigit() and len(text) == 4:
        return year_period(int(text))
    match = _STATBANK_QUARTER.match(text)
    return parse_period(f"{match[1]}Q{match[2]}") if match else None


def year_period(year: int) -> Period:
    return parse_period(str(year))


# --- Evaluation grains -----------------------------------------------------------------------------------------
# A criterion is judged per period of one grain: the calendar year ('2018'), the quarter ('2018Q3'), the school
# year ('2018/19', 1 August - 31 July) or the birth cohort ('2018': the children born in 2018, source_formats
# section 10). Every period of a grain has an index; the previous period is always index - 1, so SQL compares
# and chains periods of any grain the same way. This is the one place that knows the grains.

GRAIN_KINDS = ("year", "quarter", "school_year", "birth_cohort")
SCHOOL_YEAR_STARTS_MONTH = 8


@dataclass(frozen=True, order=True)
class GrainPeriod:
    """One evaluation period: its grain (`kind`), label, ordinal index within the grain, first and last day."""

    kind: str
    index: int
    label: str
    start: date
    end: date

    @property
    def text_da(self) -> str:
        """How a Danish sentence names the period ('i 2018', 'i skoleåret 2018/19', 'i årgang 2018')."""
        if self.kind == "quarter":
            return f"{self.label[-1]}. kvartal {self.label[:4]}"
        if self.kind == "school_year":
            return f"skoleåret {self.label}"
        if self.kind == "birth_cohort":
            return f"årgang {self.label}"
        return self.label


def _require_kind(kind: str) -> None:
    if kind not in GRAIN_KINDS:
        raise ValueError(f"unknown grain {kind!r}; expected one of {', '.join(GRAIN_KINDS)}")


def grain_period_at(kind: str, index: int) -> GrainPeriod:
    """The period of a grain with this index (year and cohort: the year; school year: its first year;
    quarter: year × 4 + quarter − 1)."""
    _require_kind(kind)
    if kind == "quarter":
        year, quarter = divmod(index, 4)
        period = parse_period(f"{year}Q{quarter + 1}")
    elif kind == "school_year":
        period = parse_period(f"{index}/{(index + 1) % 100:02d}", split_year_starts_month=SCHOOL_YEAR_STARTS_MONTH)
    else:
        period = parse_period(str(index))
    return GrainPeriod(kind, index, period.label, period.start, period.end)


def grain_period_containing(kind: str, day: date) -> GrainPeriod:
    _require_kind(kind)
    if kind == "quarter":
        return grain_period_at(kind, day.year * 4 + (day.month - 1) // 3)
    if kind == "school_year":
        return grain_period_at(kind, day.year - (day.month < SCHOOL_YEAR_STARTS_MONTH))
    return grain_period_at(kind, day.year)


def grain_period(kind: str, label: str | int) -> GrainPeriod:
    """Parse a label of a grain; a calendar year given for a year or cohort grain is its own label."""
    _require_kind(kind)
    text = str(label)
    if kind in ("year", "birth_cohort"):
        if not _YEAR.match(text):
            raise ValueError(f"{text!r} is not a {kind} label (YYYY)")
        return grain_period_at(kind, int(text))
    if kind == "quarter":
        if not (m := _QUARTER.match(text)):
            raise ValueError(f"{text!r} is not a quarter label (YYYYQn)")
        return grain_period_at(kind, int(m[1]) * 4 + int(m[2]) - 1)
    if not _SPLIT_YEAR.match(text):
        raise ValueError(f"{text!r} is not a school year label (YYYY/YY)")
    period = parse_period(text, split_year_starts_month=SCHOOL_YEAR_STARTS_MONTH)
    return grain_period_at(kind, period.start.year)


def grain_range(kind: str, first: str | int, last: str | int) -> list[GrainPeriod]:
    """Every period of a grain from `first` to `last`, both included."""
    first_index, last_index = grain_period(kind, first).index, grain_period(kind, last).index
    return [grain_period_at(kind, index) for index in range(first_index, last_index + 1)]


def grain_calendar(first_year: int, last_year: int) -> list[GrainPeriod]:
    """Every period of every grain that starts in the years given (the `catalog_periods` table)."""
    periods: list[GrainPeriod] = []
    for kind in GRAIN_KINDS:
        first = grain_period_containing(kind, date(first_year, 1, 1))
        last = grain_period_containing(kind, date(last_year, 12, 31))
        periods.extend(grain_period_at(kind, index) for index in range(first.index, last.index + 1))
    return periods
