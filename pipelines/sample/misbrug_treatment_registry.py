"""Sample counts of parents under 40 in addiction treatment, pr. 1.10 each year (act_brobyg_parents_treatment_uptake).

Σ areas 6 at the 1.10.2017 baseline, then 9, 11, 5 and 12: higher than the baseline except in 2020.
Single-digit area counts are small cells the warehouse suppresses when publishing (contract rule 8).
"""

from __future__ import annotations

from pathlib import Path

from pipelines.sample._indicator_table import AREAS_2017_2021, FileStyle, count_row, write_years

SOURCE = "misbrug_treatment_registry"
PARENTS = {  # motalavej, ringparken, sydbyen, skaelskoer
    2017: (2, 3, 1, 0), 2018: (3, 4, 1, 1), 2019: (3, 5, 2, 1), 2020: (1, 2, 1, 1), 2021: (4, 5, 2, 1),
}
KILDE = "Misbrugscenteret Slagelse"


def _rows(year: int) -> list[list[str]]:
    return [count_row(f"{year}-10-01", area, "foraeldre_u40_i_behandling", n, KILDE)
            for area, n in zip(AREAS_2017_2021, PARENTS[year], strict=True)]


def write(inbox: Path) -> list[Path]:
    return write_years(inbox, SOURCE, {year: _rows(year) for year in PARENTS}, FileStyle(
        encoding="cp1252", notes=("Opgjort af Misbrugscenteret; en forælder tælles én gang pr. år.",)))
