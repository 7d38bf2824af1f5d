"""A sample StatBank download (cp1252, title line, `..`) with the ministry's SUB-list key figures 2014-2024.

Reproduces the documents where they give numbers: income 146.626 kr. in 2014 (Motalavej, the spec's
example, and the mean of the four areas) at 63 % of Slagelse Kommune's; 42 % of the 18-64-year-olds
without attachment (14 % in the municipality) and 56 % of the 30-59-year-olds with only basic school
(26 %), all four areas above the criteria; non-Western share 44 % with Ringparken 57 % and Skælskør 20 %.
The undated figures are placed at data year 2015 (income 2014, non-Western 2016), an assumption.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.sample._csv import write_csv

YEARS = list(range(2014, 2025))
AREA_NAMES = {"motalavej": "Motalavej", "ringparken": "Ringparken og Schackenborgvænge", "sydbyen": "Sydbyen",
              "skaelskoer": "Skælskør", "slagelse_kommune": "Slagelse Kommune"}
INCOME_2014 = {"motalavej": 146626, "ringparken": 140210, "sydbyen": 148900, "skaelskoer": 150768,
               "slagelse_kommune": 232740}
# 2015 levels (the documents' figures) and the yearly change after 2015, in percentage points.
NO_ATTACHMENT_2015 = {"motalavej": (43.0, -0.5), "ringparken": (44.0, -0.3), "sydbyen": (40.6, -0.1),
                      "skaelskoer": (40.4, -0.6), "slagelse_kommune": (14.0, -0.1)}
BASIC_SCHOOL_2015 = {"motalavej": (58.0, -0.9), "ringparken": (60.0, -0.6), "sydbyen": (54.0, -0.2),
                     "skaelskoer": (52.0, -0.4), "slagelse_kommune": (26.0, -0.2)}
NON_WESTERN_2016 = {"motalavej": 48.0, "ringparken": 57.0, "sydbyen": 50.9, "skaelskoer": 20.1,
                    "slagelse_kommune": 8.0}
KEY_FIGURES = ("Gennemsnitlig bruttoindkomst 15-64 år", "Andel 18-64 årige uden tilknytning",
               "Andel 30-59 årige kun grundskole", "Andel ikke-vestlige indvandrere og efterkommere")


def danish(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def thousands(value: float) -> str:
    return f"{round(value):,}".replace(",", ".")


def _series(start: tuple[float, float], year: int) -> float:
    level, step = start
    return level + step * (year - 2015)


def _cells(area: str, year: int) -> list[str]:
    income = INCOME_2014[area] * 1.018 ** (year - 2014)
    return [thousands(income), danish(_series(NO_ATTACHMENT_2015[area], year)),
            danish(_series(BASIC_SCHOOL_2015[area], year)), danish(NON_WESTERN_2016[area] + 0.3 * (year - 2016))]


def write(inbox: Path) -> list[Path]:
    rows: list[list[object]] = [["Nøgletal for boligområder (særudtræk), Danmarks Statistik"],
                                ["OMRÅDE", "NØGLETAL", "TID", "INDHOLD"]]
    for area, name in AREA_NAMES.items():
        for year in YEARS:
            rows += [[name, key_figure, year, cell] for key_figure, cell in zip(KEY_FIGURES, _cells(area, year),
                                                                                 strict=True)]
    rows.append(["Sydbyen", "Kriminalretlige afgørelser pr. 1000 beboere", 2016, ".."])  # confidential cell
    rows.append(["Anm.: '..' betyder fortroligt."])
    return [write_csv(inbox / "dst_noegletal_2014-2024_20251115.csv", rows, encoding="cp1252")]
