"""A delivery's period token (`2018`, `2018Q3`, `2016-2025`, `2018-19`) read from its content, never its name.

Where, in this order: the parser's period columns (a year, a date, a quarter, a school year; a person-level
extract of periods: the years its rows must cover), the years heading the columns, the instruction line a
project template wrote (`Skabelon: …`), and last the title rows above the header (`1. kvartal 2018`, `2018K3`,
`Måleår: 2016`).
docs/receiving.md has the table per source.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from pipelines.delivery.filenames import periods_of_token
from pipelines.delivery.readers import clean_cell, fold, is_note_label, is_total_label

# The first line of the instruction sheet `kpi templates` writes: `Skabelon: <contract name>` (templates/workbook.py)
TEMPLATE_PERIOD_LABEL = "Skabelon:"
_TEMPLATE_NAME = re.compile(r"_(\d{4}(?:Q[1-4]|-\d{4}|-\d{2}|\d{2})?)_\d{8}\.\w+$")
_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})\s*[QK]\s*([1-4])$", re.IGNORECASE)
_SCHOOL_YEAR = re.compile(r"^(\d{4})\s*[/-]\s*(\d{2})$")
_DATE_FORMATS = ("%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y %H:%M", "%d-%m-%Y %H:%M:%S",
                 "%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M")
# Title wording, most specific first; each match is taken out of the text before the next pattern looks.
_TITLE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b([1-4])\.\s*kvartal\s+(\d{4})\b", re.IGNORECASE), "{1}Q{0}"),
    (re.compile(r"\b(\d{4})\s*,?\s*kvartal\s*([1-4])\b", re.IGNORECASE), "{0}Q{1}"),
    (re.compile(r"\b(\d{4})\s*[QK]([1-4])\b", re.IGNORECASE), "{0}Q{1}"),
    (re.compile(r"\b(\d{4})\s*/\s*(\d{2})\b"), "{0}-{1}"),
    (re.compile(r"\b(\d{4})\s*-\s*(\d{4})\b"), "{0}-{1}"),
    (re.compile(r"(?<![\d_])((?:19|20)\d{2})(?![\d_])"), "{0}"),
)


@dataclass(frozen=True)
class PeriodReading:
    """A period token and, in Danish, where it was read; or no token and why not."""

    token: str | None
    where_da: str


def valid_token(token: str) -> bool:
    if not re.fullmatch(r"\d{4}(?:Q[1-4]|-\d{4}|-\d{2}|\d{2})?", token):
        return False
    try:
        periods_of_token(token)
    except ValueError:
        return False
    return True


def token_from_option(text: str) -> str | None:
    """`--period` as the analyst writes it (`2018Q3`, `2018K3`, `2018/19`, `2016-2025`) as a token, or None."""
    compact = text.strip().replace(" ", "")
    if m := _QUARTER.match(compact):
        compact = f"{m[1]}Q{m[2]}"
    elif m := _SCHOOL_YEAR.match(compact):
        compact = f"{m[1]}-{m[2]}"
    return compact if valid_token(compact) else None


def _day(text: str) -> date | None:
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _label(text: str) -> tuple[str, str] | None:
    """(kind, value) of one period cell: ('year', '2018') for a year or a date, a quarter or a school year."""
    text = clean_cell(text)
    if _YEAR.match(text):
        return "year", text
    if m := _QUARTER.match(text):
        return "quarter", f"{m[1]}Q{m[2]}"
    if (m := _SCHOOL_YEAR.match(text)) and (int(m[1]) + 1) % 100 == int(m[2]):
        return "school_year", f"{m[1]}-{m[2]}"
    day = _day(text)
    return ("year", str(day.year)) if day else None


def _years_token(years: Iterable[int]) -> str:
    years = list(years)
    first, last = min(years), max(years)
    return str(first) if first == last else f"{first}-{last}"


def from_values(values: Iterable[str]) -> str | None:
    """One token for a column's values: one quarter, one school year, or the years of years and dates."""
    labels = {label for text in values if text and not is_note_label(text) and (label := _label(text))}
    kinds = {kind for kind, _ in labels}
    if len(kinds) != 1:
        return None
    kind = kinds.pop()
    if kind == "year":
        return _years_token(int(value) for _, value in labels)
    return labels.pop()[1] if len(labels) == 1 else None


def from_extract(starts: Iterable[str], ends: Iterable[str]) -> str | None:
    """An extract of every period overlapping its years: from the earliest year a closed period ends in to the
    latest year a period starts in (the narrowest years such an extract must have covered)."""
    start_years = [day.year for text in starts if (day := _day(clean_cell(text)))]
    end_years = [day.year for text in ends if (day := _day(clean_cell(text)))]
    if not start_years:
        return None
    last = max(start_years)
    first = min(min(end_years) if end_years else last, last)
    return _years_token((first, last))


def from_year_headings(cells: Iterable[str]) -> str | None:
    years = [int(c) for c in (clean_cell(c) for c in cells) if _YEAR.match(c)]
    return _years_token(years) if years else None


def from_titles(lines: Iterable[str]) -> tuple[str | None, list[str]]:
    """The one period the title lines name, or None; and every period they named (for the message)."""
    found: list[str] = []
    for line in lines:
        text = clean_cell(line)
        for pattern, template in _TITLE_PATTERNS:
            for match in pattern.finditer(text):
                token = template.format(*match.groups())
                if valid_token(token):
                    found.append(token)
            text = pattern.sub(" ", text)
    distinct = list(dict.fromkeys(found))
    return (distinct[0] if len(distinct) == 1 else None), distinct


def from_template_property(lines: Iterable[str]) -> str | None:
    """The period a project template states in its instruction sheet, whatever the workbook is called now."""
    for line in lines:
        text = clean_cell(line)
        match = _TEMPLATE_NAME.search(text) if fold(text).startswith(fold(TEMPLATE_PERIOD_LABEL)) else None
        if match and valid_token(match[1]):
            return match[1]
    return None


def is_data_value(text: str) -> bool:
    return bool(text) and not is_total_label(text) and not is_note_label(text)
