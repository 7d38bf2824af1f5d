"""Sample BL/DST nøgletal workbooks.

Crime 2013-2015 per area and for Slagelse Kommune are the documents' figures (001:212-217); 2016
Motalavej 36,0 and Ringparken 30,2 are source_formats.md's example. Residents are chosen so that the
pooled 2015 rate is 31,6, the documents' "områderne samlet" figure (002:68), while the unweighted
mean is 30,65 (000:653). Tabel 1 (001:1284-1303) is written under data years 2010-2014: its columns
are labelled 2011-2015 but count 1 January of the following year (criteria.yaml v2, conflict C16).
"""

from __future__ import annotations

from pathlib import Path

from pipelines.sample._xlsx import danish, write_workbook

AREA_LABELS = {
    "motalavej": "Motalavej",
    "skaelskoer": "Parkvej/Præstevangen",
    "sydbyen": "Sydbyen (Korsør)",
    "ringparken": "Ringparken og Schackenborgvænge",
}
YEARS = list(range(2013, 2025))
CRIME = {
    "motalavej": [55.1, 38.8, 34.2, 36.0, 31.5, 29.0, 27.4, 26.1, 25.3, 24.8, 24.0, 23.5],
    "skaelskoer": [19.1, 27.9, 22.3, 21.0, 20.2, 19.6, 18.4, 17.9, 18.8, None, 17.2, 16.9],
    "sydbyen": [28.5, 14.7, 34.7, 33.1, 30.2, 29.5, 28.8, 28.1, 27.5, 26.9, 26.0, 25.4],
    "ringparken": [42.8, 27.2, 31.4, 30.2, 28.0, 26.5, 25.1, 24.0, 23.2, 22.7, 22.1, 21.5],
}
CRIME_SLAGELSE = [11.8, 10.3, 11.4, 11.0, 10.8, 10.5, 10.1, 9.8, 9.9, 9.6, 9.4, 9.3]
RESIDENTS = {"motalavej": 1250, "skaelskoer": 600, "sydbyen": 900, "ringparken": 1700}
TABEL1_YEARS = list(range(2010, 2015))
TABEL1 = {  # 18-64, 18-29, share, for data years 2010-2014
    "sydbyen": ([236.9, 257.0, 268.2, 231.1, 195.3], [47.1, 47.5, 46.9, 31.6, 18.0],
                [19.88, 18.48, 17.49, 13.67, 9.21]),
    "skaelskoer": ([218.0, 214.2, 239.9, 240.3, 230.4], [30.1, 38.2, 41.6, 42.6, 16.9],
                   [13.80, 17.83, 17.34, 17.73, 7.34]),
    "ringparken": ([533.2, 549.2, 545.1, 562.5, 553.5], [101.6, 98.6, 97.6, 113.1, 61.8],
                   [19.05, 17.95, 17.90, 20.11, 11.71]),
    "motalavej": ([473.5, 463.6, 464.9, 431.3, 409.0], [83.3, 87.5, 88.4, 74.8, 43.7],
                  [17.59, 18.87, 19.01, 17.34, 10.68]),
}
# Data years after the documents (assumed): 18-29 fte without work fall unevenly from the 2014 level.
TABEL1_LATER_YEARS = list(range(2015, 2025))
TABEL1_LATER_18_29_FACTOR = [1.02, 1.05, 1.0, 0.96, 0.93, 0.97, 0.9, 0.88, 0.86, 0.85]
BASIC_EDU_YEARS = list(range(2016, 2025))
BASIC_EDU_SHARE = {  # % of 18-29 with grundskole as highest education, falling slowly
    "motalavej": [44, 43, 42, 41, 40, 39, 38, 38, 37],
    "skaelskoer": [31, 30, 31, 29, 28, 28, 27, 26, 26],
    "sydbyen": [42, 42, 43, 43, 44, 42, 41, 41, 40],
    "ringparken": [41, 40, 39, 37, 36, 35, 35, 34, 33],
}
YOUNG_RESIDENTS = {"motalavej": 260, "skaelskoer": 95, "sydbyen": 180, "ringparken": 340}


def _residents(area: str, index: int) -> int:
    return RESIDENTS[area] + 10 * ((index * 7 + len(area)) % 5) - 20


def _crime_sheet(years: list[int]) -> list[list[object]]:
    rows: list[list[object]] = [
        ["Kriminalretlige afgørelser pr. 1000 beboere"],
        ["Kilde: BL - Danmarks Almene Boliger / Danmarks Statistik, Nøgletal for boligområder (tabel 16)"],
        [],
        ["Område", *years],
    ]
    for area, label in AREA_LABELS.items():
        values = [CRIME[area][YEARS.index(y)] for y in years]
        # Mixed cell types, as in real exports: numeric cells and decimal-comma text cells.
        rows.append([label, *[("-" if v is None else (danish(v) if i % 2 else v)) for i, v in enumerate(values)]])
    total = [round(sum(CRIME[a][YEARS.index(y)] or 0 for a in AREA_LABELS) / 4, 1) for y in years]
    rows.append(["Boligområderne i alt", *total])
    rows.append(["Slagelse Kommune", *[CRIME_SLAGELSE[YEARS.index(y)] for y in years]])
    rows.append([])
    rows.append(["Anm.: Data år; tallene offentliggøres året efter i Nøgletal for boligområder."])
    rows.append(["Et '-' betyder, at tallet ikke er opgjort for området det år."])
    return rows


def _residents_sheet(years: list[int]) -> list[list[object]]:
    rows: list[list[object]] = [["Beboere pr. 1. januar"], [], ["Område", *[str(y) for y in years]]]
    for area, label in AREA_LABELS.items():
        rows.append([label, *[f"{_residents(area, YEARS.index(y)):,}".replace(",", ".") for y in years]])
    rows.append(["I alt", *[sum(_residents(a, YEARS.index(y)) for a in AREA_LABELS) for y in years]])
    return rows


def _unemployment_sheet() -> list[list[object]]:
    rows: list[list[object]] = [
        ["Fuldtidspersoner uden beskæftigelse opgjort den 1. januar året efter"],
        ["Område", "Aldersgruppe", *TABEL1_YEARS, *TABEL1_LATER_YEARS],
    ]
    labels = ("18-64 årige", "18-29 årige", "18-29 åriges % - del af det samlede antal")
    for area, series in TABEL1.items():
        for label, values in zip(labels, _with_later_years(*series), strict=True):
            decimals = 2 if "%" in label else 1
            rows.append([AREA_LABELS[area], label, *[f"{danish(v, decimals)}%" if "%" in label else v
                                                      for v in values]])
    rows.append(["Kilde: BL-tal, Tabel 1"])
    return rows


def _with_later_years(all_ages: list[float], young: list[float],
                      share: list[float]) -> tuple[list[float], list[float], list[float]]:
    later_all = [round(all_ages[-1] * (1 - 0.01 * i), 1) for i in range(1, len(TABEL1_LATER_YEARS) + 1)]
    later_young = [round(young[-1] * f, 1) for f in TABEL1_LATER_18_29_FACTOR]
    later_share = [round(y / a * 100, 2) for y, a in zip(later_young, later_all, strict=True)]
    return all_ages + later_all, young + later_young, share + later_share


def _basic_education_sheet() -> list[list[object]]:
    rows: list[list[object]] = [["18-29 årige efter højest fuldførte uddannelse"],
                                ["Område", "Mål", *BASIC_EDU_YEARS]]
    for area, shares in BASIC_EDU_SHARE.items():
        totals = [YOUNG_RESIDENTS[area] + 3 * i for i in range(len(BASIC_EDU_YEARS))]
        basic = [round(t * s / 100) for t, s in zip(totals, shares, strict=True)]
        if area == "skaelskoer":
            basic[3] = ".."  # a small cell the supplier hid (DST style)
        rows.append([AREA_LABELS[area], "18-29 årige i alt", *totals])
        rows.append([AREA_LABELS[area], "Heraf grundskole som højest fuldførte uddannelse", *basic])
    rows.append(["Hele landet", "18-29 årige i alt", *["-"] * len(BASIC_EDU_YEARS)])
    return rows


def write(inbox: Path) -> list[Path]:
    early = YEARS[:4]
    first = write_workbook(inbox / "bl_tables_2013-2016_20170615.xlsx", {
        "Kriminalitet": _crime_sheet(early),
        "Beboere": _residents_sheet(early),
    })
    latest = write_workbook(inbox / "bl_tables_2010-2024_20251201.xlsx", {
        "Kriminalitet": _crime_sheet(YEARS),
        "Beboere": _residents_sheet(YEARS),
        "Uden beskaeftigelse": _unemployment_sheet(),
        "Grundskole 18-29": _basic_education_sheet(),
        "Noter": [["Tabellerne er udtrukket til helhedsplanen."]],
    })
    return [first, latest]
