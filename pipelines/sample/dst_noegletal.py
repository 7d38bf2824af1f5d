"""Sample StatBank downloads with the ministry's SUB-list key figures 2014-2024, one in each real layout.

2014-2019 is the *long* download (cp1252, a title line, one row per cell, `..`, a note row); 2020-2024 the
*web table* an analyst saves from statistikbanken.dk (cp1252, CRLF, quoted text, years as columns, a grouping
row per key figure, footnotes), source_formats.md section 2, version 2. Both hold the same series.

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


LONG_YEARS = [year for year in YEARS if year <= 2019]
WEB_YEARS = [year for year in YEARS if year > 2019]


def _long_download(inbox: Path) -> Path:
    rows: list[list[object]] = [["Nøgletal for boligområder (særudtræk), Danmarks Statistik"],
                                ["OMRÅDE", "NØGLETAL", "TID", "INDHOLD"]]
    for area, name in AREA_NAMES.items():
        for year in LONG_YEARS:
            rows += [[name, key_figure, year, cell] for key_figure, cell in zip(KEY_FIGURES, _cells(area, year),
                                                                                 strict=True)]
    rows.append(["Sydbyen", "Kriminalretlige afgørelser pr. 1000 beboere", 2016, ".."])  # confidential cell
    rows += [[], ["Anm.: '..' betyder fortroligt."], ["Opdateret 3. marts 2020"]]
    return write_csv(inbox / f"dst_noegletal_{LONG_YEARS[0]}-{LONG_YEARS[-1]}_20201115.csv", rows, encoding="cp1252")


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _web_table_download(inbox: Path) -> Path:
    """StatBank's "Gem som CSV (semikolonsepareret)" of the table as shown: text quoted, numbers not."""
    stub = _quoted(" ")
    lines = [_quoted("Nøgletal for boligområder efter nøgletal, område og tid"), "",
             ";".join([stub, stub, *(_quoted(str(year)) for year in WEB_YEARS)])]
    for position, key_figure in enumerate(KEY_FIGURES):
        lines.append(_quoted(key_figure))
        for area, name in AREA_NAMES.items():
            # StatBank writes numbers without thousands separators; the shares keep the decimal comma.
            values = [_cells(area, year)[position].replace(".", "") for year in WEB_YEARS]
            lines.append(";".join([stub, _quoted(name), *values]))
    lines += ["", _quoted("Særudtræk for helhedsplanens fire boligområder."),
              _quoted("Indkomst i kr. (løbende priser); andele i procent af beboerne i aldersgruppen.")]
    path = inbox / f"dst_noegletal_{WEB_YEARS[0]}-{WEB_YEARS[-1]}_20251115.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


def write(inbox: Path) -> list[Path]:
    return [_long_download(inbox), _web_table_download(inbox)]
