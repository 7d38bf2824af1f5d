"""Sample result workbooks of Politiets tryghedsindeks, one per measurement year 2015-2025.

2015 and 2016 are the documents' figures (002:80-86 and 000:203-205): Motalavej 70,2 → 58,3,
Ringparken 61,4 → 72, Danmark 88,7 → 89,1, SUB average 72,7 → 72,4. Sydbyen and Skælskør are
measured from 2017 (their zero point). Later years rise unevenly, so the tryghed criteria show
on_track and off_track years, Ringparken above 72,4 in 2021 and Motalavej still below it.
The other sub-indices are derived from the general index so the workbooks look complete.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.sample._xlsx import danish, write_workbook

YEARS = list(range(2015, 2026))
LABELS_2016 = {"motalavej": "Motalavej", "ringparken": "Ringparken/Schackenborg Vænge"}
AREA_LABELS = {
    "motalavej": "Motalavej",
    "ringparken": "Ringparken",
    "sydbyen": "Sydbyen (Korsør)",
    "skaelskoer": "Skælskør (Parkvej/Præstevangen)",
    "denmark": "Hele landet",
    "sub_average": "Særligt udsatte boligområder (gns.)",
}
GENERAL_SAFETY: dict[str, list[float | None]] = {  # Grundlæggende tryghed; None = not measured that year
    "motalavej": [70.2, 58.3, 61.0, 64.5, 67.0, 68.9, 71.8, 73.0, 72.6, 74.1, 74.8],
    "ringparken": [61.4, 72.0, 73.1, 71.5, 73.8, 74.2, 75.0, 75.6, 74.9, 76.2, 76.5],
    "sydbyen": [None, None, 74.6, 75.9, 74.1, 76.3, 77.0, 77.4, 78.0, 77.1, 78.3],
    "skaelskoer": [None, None, 78.2, 79.0, 80.1, 77.5, 77.9, 79.2, 80.0, 80.6, 79.8],
    "denmark": [88.7, 89.1, 89.3, 89.0, 89.6, 89.9, 90.1, 89.8, 90.2, 90.4, 90.3],
    "sub_average": [72.7, 72.4, 72.1, 72.9, 73.5, 73.0, 73.8, 74.2, 74.0, 74.6, 75.0],
}
RESPONDENTS = {"motalavej": 143, "ringparken": 201, "sydbyen": 164, "skaelskoer": 97}
# Offsets of the other sub-indices from the general index (higher = better on every index).
SUB_INDEX_OFFSETS = {"Nabolagsproblemer": -6.0, "Udsathed for kriminalitet": 8.5}


def _indices(general: float) -> dict[str, float]:
    values = {"Grundlæggende tryghed": general,
              **{index: round(min(general + offset, 100.0), 1) for index, offset in SUB_INDEX_OFFSETS.items()}}
    values["Samlet indeks"] = round(sum(values.values()) / len(values), 1)
    return values


def _respondents(area: str, year: int) -> int | None:
    if area not in RESPONDENTS:
        return None  # the comparators' respondent counts are not given
    if year == 2016:
        return RESPONDENTS[area]  # source_formats.md's example
    return RESPONDENTS[area] + (year * 7) % 23 - 11


def _rows(year: int) -> list[list[object]]:
    rows: list[list[object]] = [
        [f"Politiets Tryghedsindeks {year} - Sydsjællands og Lolland-Falsters Politi"],
        [f"Måleår: {year}"],
        [],
        ["Område", "Indeks", "Værdi", "Antal besvarelser", *(["Ændring fra forrige måling"] if year == 2018 else [])],
    ]
    for area, series in GENERAL_SAFETY.items():
        general = series[YEARS.index(year)]
        if general is None:
            continue
        label = LABELS_2016.get(area, AREA_LABELS[area]) if year == 2016 else AREA_LABELS[area]
        for position, (index, value) in enumerate(_indices(general).items()):
            # Mixed cell types, as in real exports: numeric cells and decimal-comma text cells.
            cell: object = value if (position + year) % 2 else danish(value)
            rows.append([label, index, cell, _respondents(area, year)])
    rows += [[], ["Indekset går fra 0 til 100, hvor 100 er den højest mulige tryghed; jo højere, jo bedre."],
             ["Kilde: Politiets tryghedsindeks; landstal og SUB-gennemsnit som sammenligning."],
             [f"Opdateret {5 + year % 20}. maj {year + 1}"]]
    return rows


def write(inbox: Path) -> list[Path]:
    written = []
    for year in YEARS:
        sheets = {"Resultater": _rows(year)}
        if year == 2020:
            sheets["Metode"] = [["Indekset går fra 0 til 100; højere er bedre."]]
        written.append(write_workbook(inbox / f"police_tryghedsindeks_{year}_{year + 1}0520.xlsx", sheets))
    return written
