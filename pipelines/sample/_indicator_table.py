"""Writing sample files in the common yearly layout of source_formats.md, section 15.

`År;Område;Indikator;Værdi;Tæller;Nævner;Kilde`, written the way partners save Excel sheets as CSV:
Windows-1252 or UTF-8 (with or without BOM), a title row, total and note rows, decimal comma,
thousands `.`. The bytes depend on the arguments only, so a re-run rewrites identical files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

HEADER = ("År", "Område", "Indikator", "Værdi", "Tæller", "Nævner", "Kilde")
AREA_NAMES = {
    "motalavej": "Motalavej",
    "ringparken": "Ringparken/Schackenborgvænge",
    "sydbyen": "Sydbyen (Korsør)",
    "skaelskoer": "Parkvej og Præstevænget",
    "combined": "Samlet",
    "slagelse_kommune": "Slagelse Kommune",
}
AREAS_2017_2021 = ("motalavej", "ringparken", "sydbyen", "skaelskoer")
AREAS_2021_2025 = ("motalavej", "ringparken", "sydbyen")


@dataclass(frozen=True)
class FileStyle:
    """How a supplier's spreadsheet program writes the file."""

    encoding: str = "utf-8"  # utf-8 | utf-8-sig (BOM) | cp1252
    line_end: str = "\n"
    title: str | None = None  # a title row above the header
    notes: tuple[str, ...] = ()  # note rows below the data
    trailing_separator: bool = False


def danish_number(value: float, decimals: int = 0) -> str:
    """`11200` → `11.200`, `12.5` → `12,5`: Danish thousands and decimal separators."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def count_row(when: str, area: str, code: str, value: int | str, source: str) -> list[str]:
    shown = value if isinstance(value, str) else danish_number(value)
    return [when, AREA_NAMES[area], code, shown, "", "", source]


def share_row(when: str, area: str, code: str, numerator: int, denominator: int, source: str,
              *, suffix: str = "") -> list[str]:
    """A share with its counts; Værdi is Tæller / Nævner × 100 rounded to one decimal, as the supplier shows it."""
    value = danish_number(numerator / denominator * 100, 1) + suffix
    return [when, AREA_NAMES[area], code, value, str(numerator), str(denominator), source]


def total_row(when: str, code: str, value: int) -> list[str]:
    """A supplier's own total row (`I alt`); the parser skips it, the warehouse computes its own."""
    return [when, "I alt", code, danish_number(value), "", "", ""]


def file_path(inbox: Path, source_system: str, year: int, delivered: date) -> Path:
    return inbox / f"{source_system}_{year}_{delivered:%Y%m%d}.csv"


def write_table(path: Path, rows: list[list[str]], style: FileStyle = FileStyle()) -> Path:
    end = ";" if style.trailing_separator else ""
    lines = [style.title] if style.title else []
    lines += [";".join(HEADER) + end, *(";".join(row) + end for row in rows)]
    if style.notes:
        lines += ["", *style.notes]
    path.write_bytes((style.line_end.join(lines) + style.line_end).encode(style.encoding))
    return path


def write_years(inbox: Path, source_system: str, rows_by_year: dict[int, list[list[str]]],
                style: FileStyle = FileStyle(), *, delivered_month: int = 2) -> list[Path]:
    """One file per year, delivered on the 15th of `delivered_month` the year after."""
    return [write_table(file_path(inbox, source_system, year, date(year + 1, delivered_month, 15)), rows, style)
            for year, rows in sorted(rows_by_year.items())]
