"""The file-name contract: `<source_system>_<period>_<YYYYMMDD>.<ext>` (source_formats.md, section 0)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pipelines.delivery.errors import DeliveryRejected
from pipelines.periods import Period, parse_period

_NAME = re.compile(
    r"^(?P<stem>[a-z0-9_]+?)_(?P<token>\d{4}(?:Q[1-4]|-\d{4}|-\d{2}|\d{2})?)_(?P<date>\d{8})\.(?P<ext>[A-Za-z0-9]+)$"
)


@dataclass(frozen=True)
class FileName:
    """What a delivery's name says: its source, file type, period token and delivery date."""

    source_system: str
    file_type: str | None
    period_token: str
    periods: tuple[Period, ...]
    delivered_at: date
    extension: str

    @property
    def first_day(self) -> date:
        return self.periods[0].start

    @property
    def last_day(self) -> date:
        return self.periods[-1].end


def periods_of_token(token: str) -> tuple[Period, ...]:
    """The reference periods a file-name period token covers."""
    if re.fullmatch(r"\d{4}-\d{4}", token):
        first, last = int(token[:4]), int(token[5:])
        if last < first:
            raise ValueError(f"{token}: last year before first year")
        return tuple(parse_period(str(year)) for year in range(first, last + 1))
    if re.fullmatch(r"\d{4}-\d{2}", token):
        return (parse_period(f"{token[:4]}/{token[5:]}"),)
    return (parse_period(token),)


# Where a source takes `.xlsx`, it takes the other workbook formats too (source_formats.md 0.4).
WORKBOOK_EXTENSIONS = ("xlsx", "xls", "ods")


def accepted_extensions(extensions: tuple[str, ...]) -> tuple[str, ...]:
    """A parser's extensions, with `.xls` and `.ods` wherever `.xlsx` is accepted."""
    return (*extensions, *WORKBOOK_EXTENSIONS[1:]) if "xlsx" in extensions else extensions


def parse_file_name(
    path: Path,
    source_system: str,
    *,
    extensions: tuple[str, ...],
    file_types: tuple[str, ...] = (),
) -> FileName:
    """Check a delivery's name against its folder's source system, or reject it."""
    name = path.name
    expected = (
        f"et filnavn som {source_system}_<periode>_<ÅÅÅÅMMDD>.{'|'.join(extensions)} "
        "(periode ÅÅÅÅ, ÅÅÅÅQn, ÅÅÅÅ-ÅÅÅÅ, ÅÅÅÅ-ÅÅ eller ÅÅÅÅMM)"
    )
    match = _NAME.match(name)
    if not match:
        raise DeliveryRejected(name, "filnavnet følger ikke navnekonventionen", expected)
    stem = match["stem"]
    file_type: str | None = None
    if stem != source_system:
        prefix = source_system + "_"
        file_type = stem[len(prefix):] if stem.startswith(prefix) else None
        if file_type not in file_types:
            found = f"filen ligger i mappen {source_system}, men navnet begynder med {stem}"
            raise DeliveryRejected(name, found, expected)
    if match["ext"].lower() not in accepted_extensions(extensions):
        found = f"filtypen .{match['ext']} understøttes ikke"
        raise DeliveryRejected(name, found, f"en fil af typen {' eller '.join('.' + e for e in extensions)}")
    try:
        delivered_at = date(int(match["date"][:4]), int(match["date"][4:6]), int(match["date"][6:]))
        periods = periods_of_token(match["token"])
    except ValueError as exc:
        raise DeliveryRejected(name, f"ugyldig periode eller leveringsdato i filnavnet ({exc})", expected) from exc
    return FileName(source_system, file_type, match["token"], periods, delivered_at, match["ext"].lower())
