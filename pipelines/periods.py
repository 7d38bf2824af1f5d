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


def year_period(year: int) -> Period:
    return parse_period(str(year))
