"""Sample police extracts of vandalism reports, one cp1252 CSV per year 2015-2025.

2015 sums to 123, the documents' only hærværk figure (000:220; it counts repair cases, conflict C24,
so it is context, not a baseline). From the 2017 baseline the counts fall, sometimes by the 15 % the
chained rule asks and sometimes not, so haervaerk_yearly_minus15_2017_2021 shows met and not_met
years per area and combined. Skælskør 2023 is `-` (not available) and Sydbyen 2024 `.` (suppressed). The 2019
extract is re-delivered in June 2020 with Ringparken corrected from 44 to 40.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.sample._csv import write_csv

AREA_LABELS = {
    "motalavej": "Motalavej",
    "ringparken": "Ringparken/Schackenborgvænge",
    "sydbyen": "Sydbyen (Korsør)",
    "skaelskoer": "Parkvej/Præstevangen",
}
YEARS = list(range(2015, 2026))
REPORTS: dict[str, list[int | str]] = {  # '-' not available, '.' suppressed
    "motalavej": [41, 44, 46, 38, 31, 27, 22, 20, 19, 17, 16],
    "ringparken": [52, 49, 55, 48, 40, 33, 29, 26, 24, 22, 21],
    "sydbyen": [18, 20, 21, 17, 15, 12, 10, 9, 9, ".", 7],
    "skaelskoer": [12, 15, 14, 15, 10, 8, 8, 6, "-", 6, 5],
}
FIRST_2019_RINGPARKEN = 44  # the extract delivered in February 2020, corrected in June


def corrected_rows(year: int, area: str, lowered_by: int) -> list[list[object]]:
    """The extract of `year` with `area`'s count lowered by `lowered_by` (never below 0): a corrected re-delivery
    that supersedes the one before it (the benchmark's (h) drops, bench/deliveries.py)."""
    count = REPORTS[area][YEARS.index(year)]
    assert isinstance(count, int), f"{area} {year} is not a count"
    return _rows(year, {area: max(0, count - lowered_by)})


def _rows(year: int, overrides: dict[str, int | str] | None = None) -> list[list[object]]:
    values = {area: (overrides or {}).get(area, REPORTS[area][YEARS.index(year)]) for area in AREA_LABELS}
    rows: list[list[object]] = []
    if year % 2:  # odd years' exports carry a title line above the header
        rows += [[f"Anmeldelser af hærværk {year} fordelt på boligområde"], []]
    rows.append(["År", "Område", "Anmeldelser af hærværk"])
    rows += [[year, AREA_LABELS[area], value] for area, value in values.items()]
    rows += [[], [year, "I alt", sum(v for v in values.values() if isinstance(v, int))]]
    if not year % 2:  # even years' exports end with an explanation instead
        rows += [[], ["Tallene omfatter anmeldelser med gerningssted i boligområdet; '-' betyder ikke opgjort."]]
    return rows


def write(inbox: Path) -> list[Path]:
    written = [
        write_csv(inbox / f"police_haervaerk_{year}_{year + 1}0214.csv",
                  _rows(year, {"ringparken": FIRST_2019_RINGPARKEN} if year == 2019 else None), encoding="cp1252")
        for year in YEARS
    ]
    written.append(write_csv(inbox / "police_haervaerk_2019_20200612.csv", _rows(2019), encoding="cp1252"))
    return written
