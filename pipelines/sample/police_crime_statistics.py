"""Sample police crime statistics for Motalavej and Ringparken, one UTF-8 (BOM) CSV per year 2017-2021.

2017 is the baseline of the four værested criteria; later years mostly improve, with a few years
worse than 2017 so the directional statuses are mixed. Ringparken's 2019 count of heavily involved
young people is `..` (suppressed by the police), and a `Kilde:` note row closes each file.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.sample._csv import write_csv

YEARS = list(range(2017, 2022))
AREA_LABELS = {"motalavej": "Motalavej", "ringparken": "Ringparken"}
SERIES: dict[str, dict[str, list[int | float | str]]] = {
    "unge_massivt_involveret": {"motalavej": [14, 12, 11, 12, 9], "ringparken": [11, 12, "..", 9, 8]},
    "anmeldt_kriminalitet": {"motalavej": [212, 198, 205, 181, 176], "ringparken": [264, 241, 229, 236, 271]},
    "domme_15_25": {"motalavej": [19, 14, 20, 15, 13], "ringparken": [23, 21, 18, 19, 24]},
    "tilbagefald_15_25_pct": {"motalavej": [34.5, 33.1, 35.2, 30.8, 29.4],
                              "ringparken": [31.5, 31.5, 29.9, 28.7, 32.0]},
}


def _text(value: int | float | str) -> str:
    return f"{value:.1f}".replace(".", ",") if isinstance(value, float) else str(value)


def _rows(year: int) -> list[list[object]]:
    rows: list[list[object]] = [["År", "Område", "Indikator", "Værdi"]]
    for area, label in AREA_LABELS.items():
        rows += [[year, label, indicator, _text(by_area[area][YEARS.index(year)])]
                 for indicator, by_area in SERIES.items()]
    rows += [[], [f"Kilde: Rigspolitiet, POLSAS-udtræk for Sydsjællands og Lolland-Falsters Politi, {year}"],
             ["Tilbagefald er andelen af de dømte 15-25-årige, der dømmes igen inden for to år."]]
    return rows


def write(inbox: Path) -> list[Path]:
    return [write_csv(inbox / f"police_crime_statistics_{year}_{year + 1}0310.csv", _rows(year), encoding="utf-8-sig")
            for year in YEARS]
