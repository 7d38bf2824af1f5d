"""The one CPR detector: every check for a CPR number in text (ingestion, logs, audits, checkers, test scans).

A CPR number is found in every common written form, not only `DDMMYY-SSSS`:

- separators between the date and the serial: none, a hyphen or any other Unicode dash (en/em dash, the
  non-breaking hyphen U+2011, the minus sign U+2212, …), spaces of any kind (NBSP, thin space, tab) or
  invisible format characters (zero-width space, soft hyphen), up to two spaces on each side of one dash;
- digits of any Unicode digit script (fullwidth `０１０１８７`, Arabic-Indic `٠١٠١٨٧`, …) and fullwidth
  letters: each character is mapped one to one onto ASCII first, so a span in the mapped text is the same
  span in the original;
- a prefix glued to the number (`CPR0101871467`, `cprnr0101871467`); a separated prefix (`CPR-nr. 010187-1467`,
  `cpr:0101871467`) needs nothing special;
- with `numeric=True`, for values of a column known to hold CPR numbers: a number rendering that lost the
  leading zero or gained a fraction or an exponent (`101871467`, `101871467.0`, `1.01871467E9`).

A token is a CPR number only when its first six digits state a real date (DDMMYY in the century the seventh
digit gives, CPR-kontoret's rule; also the replacement numbers whose day is raised by 60). That keeps amounts,
counts and most identifiers out (a month above 12 or a day above 31 never matches).

Digit runs longer than ten are NOT searched for a CPR inside (`450101871467`). About one ten-digit window in
ten states a valid date, so searching inside would flag most 12- and 13-digit identifiers (EAN numbers,
account numbers, case numbers) and reject aggregate deliveries that hold them; a CPR glued to other digits is
not a written form a person or a system produces. The test scans of a run's files look for the sample's own
CPR numbers inside longer runs as well, where no false positive is possible.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache

MASK = "<CPR skjult>"
# Dash-like characters that are not in Unicode's Pd category but are written between date and serial.
_EXTRA_DASHES = "\u2212\u2043\ufe63\uff0d\u02d7\u2796"
# Invisible characters that may stand between digits (zero-width space/joiners, word joiner, BOM, soft hyphen).
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"

# Before the number: no letter or digit (unless a glued prefix), and no `3.` or `3,` (a decimal fraction).
_PREFIX_OK = r"(?<![0-9][.,])(?:(?<![0-9a-z])|(?<=cpr)|(?<=nr)|(?<=nummer))"
_TOKEN = re.compile(_PREFIX_OK + r"(\d{6})[ ]{0,2}-?[ ]{0,2}(\d{4})(?![0-9a-z])", re.ASCII | re.IGNORECASE)
# Numbers as a spreadsheet or a float column writes them: 9 or 10 digits, maybe `.0`, or scientific notation.
_NUMERIC = re.compile(
    r"(?<![0-9][.,])(?<![0-9a-z.])(?:(\d{9,10})(?:\.0+)?|(\d\.\d{1,9}e\+?0?[89]))(?![0-9a-z])",
    re.ASCII | re.IGNORECASE)


@dataclass(frozen=True)
class CprSpan:
    """Where a CPR number stands in the text (`text[start:end]`) and its ten ASCII digits."""

    start: int
    end: int
    digits: str


@cache
def _ascii_table() -> dict[int, str]:
    """One ASCII character for every non-ASCII character that can write a CPR: digits, dashes, spaces, letters."""
    table: dict[int, str] = {}
    for code in range(0x80, min(sys.maxunicode, 0x1FFFF) + 1):
        char = chr(code)
        digit = unicodedata.decimal(char, None)
        category = unicodedata.category(char)
        if digit is not None:
            table[code] = str(digit)
        elif category == "Pd" or char in _EXTRA_DASHES:
            table[code] = "-"
        elif category == "Zs" or char in _INVISIBLE or char in "\t":
            table[code] = " "
        elif code < 0x10000 and category.startswith("L"):
            folded = unicodedata.normalize("NFKC", char)
            if len(folded) == 1 and folded.isascii():
                table[code] = folded  # fullwidth ＣＰＲ
    return table


def ascii_form(text: str) -> str:
    """The text with each character mapped to its ASCII equivalent; same length, same positions."""
    text = text.replace("\t", " ")
    return text if text.isascii() else text.translate(_ascii_table())


def _states_a_date(digits: str) -> bool:
    day, month, year_2, seventh = int(digits[:2]), int(digits[2:4]), int(digits[4:6]), int(digits[6])
    if day > 60:
        day -= 60  # erstatningspersonnummer
    try:
        date(century(year_2, seventh) + year_2, month, day)
    except ValueError:
        return False
    return True


def century(year_2: int, seventh_digit: int) -> int:
    """The century of a CPR birth date from its 7th digit (CPR-kontoret's rule, no modulus-11)."""
    if seventh_digit <= 3:
        return 1900
    if seventh_digit in (4, 9):
        return 2000 if year_2 <= 36 else 1900
    return 2000 if year_2 <= 57 else 1800


def _numeric_digits(token: str) -> str | None:
    """The ten digits of a number rendering of a CPR (leading zero lost, `.0`, exponent), or None."""
    try:
        number = Decimal(token)
    except InvalidOperation:
        return None
    if number != number.to_integral_value() or not 0 < number < 10**10:
        return None
    return str(int(number)).zfill(10)


def find_cpr(text: str, *, numeric: bool = False) -> list[CprSpan]:
    """Every CPR number in `text`, in order; `numeric=True` also finds number renderings (a CPR column's values)."""
    if not text:
        return []
    form = ascii_form(text)
    spans: list[CprSpan] = []
    position = 0
    while match := _TOKEN.search(form, position):
        digits = match[1] + match[2]
        if _states_a_date(digits):
            spans.append(CprSpan(match.start(), match.end(), digits))
            position = match.end()
        else:
            position = match.start() + 1
    if numeric:
        for match in _NUMERIC.finditer(form):
            digits = _numeric_digits(match[0])
            overlaps = any(s.start < match.end() and match.start() < s.end for s in spans)
            if digits and not overlaps and _states_a_date(digits):
                spans.append(CprSpan(match.start(), match.end(), digits))
        spans.sort(key=lambda s: s.start)
    return spans


@cache
def cpr_regex() -> str:
    """The detector's shape as one Python regex, for tools that take only a regex (the GX suites).

    Looser than `find_cpr`: no date check, so it also matches ten digits that state no date. It covers the
    same separators, Unicode digits (`\\d` of a str pattern) and glued prefixes.
    """
    table = _ascii_table()
    dashes = "".join(chr(code) for code, ascii_char in table.items() if ascii_char == "-")
    spaces = "".join(chr(code) for code, ascii_char in table.items() if ascii_char == " ")
    space = f"[ \\t{re.escape(spaces)}]{{0,2}}"
    return (r"(?<![0-9][.,])(?:(?<![0-9A-Za-z])|(?i:(?<=cpr)|(?<=nr)|(?<=nummer)))"
            rf"\d{{6}}{space}[-{re.escape(dashes)}]?{space}\d{{4}}(?![0-9A-Za-z])")


def contains_cpr(text: str, *, numeric: bool = False) -> bool:
    """Whether `text` holds a CPR number in any written form."""
    return bool(find_cpr(text, numeric=numeric))


def mask_cpr(text: str, *, numeric: bool = False, mask: str = MASK) -> str:
    """`text` with every CPR number replaced by `<CPR skjult>`; the rest of the text is kept as it was."""
    spans = find_cpr(text, numeric=numeric)
    if not spans:
        return text
    parts, last = [], 0
    for span in spans:
        parts += [text[last:span.start], mask]
        last = span.end
    return "".join([*parts, text[last:]])
