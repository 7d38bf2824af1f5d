"""Sample VIVE/LBF tryghedsmåling for the three 2021-2025 areas: 2018 (the baseline) and yearly from 2021.

There is no 2019 or 2020 measurement ("Forventes opdateret efterår ´21", 003:140-152), so those years
show missing_data. Pooled, fællesskab is 51,0 % in 2018 (criteria.yaml's baseline) and then 49,3, 52,5,
54,0, 50,7, 55,1; tillid 58,0 then 60,1, 57,1, 61,1, 63,0, 62,1. Slagelse Kommune "opgøres ikke" (`-`).
"""

from __future__ import annotations

from pathlib import Path

from pipelines.sample._indicator_table import AREAS_2021_2025, FileStyle, count_row, share_row, write_years

SOURCE = "vive_lbf_survey"
RESPONDENTS = {  # motalavej, ringparken, sydbyen
    2018: (100, 140, 60), 2021: (98, 136, 62), 2022: (102, 141, 58), 2023: (99, 138, 61), 2024: (101, 139, 60),
    2025: (100, 142, 59),
}
COMMUNITY = {2018: (45, 78, 30), 2021: (43, 74, 29), 2022: (49, 80, 29), 2023: (50, 82, 29), 2024: (47, 77, 28),
             2025: (52, 84, 30)}
TRUST = {2018: (55, 86, 33), 2021: (56, 88, 34), 2022: (55, 85, 32), 2023: (58, 89, 35), 2024: (61, 92, 36),
         2025: (60, 92, 35)}
KILDE = "VIVE/LBF tryghedsmåling"


def _rows(year: int) -> list[list[str]]:
    rows = []
    for code, counts in (("faellesskab_pct", COMMUNITY[year]), ("tillid_myndigheder_pct", TRUST[year])):
        rows += [share_row(str(year), area, code, t, n, KILDE, suffix=" %")
                 for area, t, n in zip(AREAS_2021_2025, counts, RESPONDENTS[year], strict=True)]
        rows.append(count_row(str(year), "slagelse_kommune", code, "-", "Opgøres ikke"))
    return rows


def write(inbox: Path) -> list[Path]:
    rows = {year: _rows(year) for year in RESPONDENTS}
    return write_years(inbox, SOURCE, rows, FileStyle(trailing_separator=True, notes=(
        "Andele i procent af de adspurgte beboere, vægtet efter køn og alder.",)), delivered_month=3)
