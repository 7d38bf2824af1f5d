"""Sample SSP opgørelse of cannabis among 15-25-year-olds, pr. 1.10 each year from 1.10.2017.

Pooled over the four areas, debut 12,5 % (the 2017 row is source_formats.md's example, 23 of 184) → 10,6
→ 10,0 → 8,4 → 7,8: the −10 % chain is met in 2018 and 2020 and missed in 2019 and 2021. Use 21,2 %
→ 18,6 → 16,3 → 15,7 → 13,5: met except in 2020. Windows-1252, decimal comma, a note row.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.sample._indicator_table import AREAS_2017_2021, FileStyle, share_row, write_years

SOURCE = "local_substance_survey"
YOUNG = {  # 15-25-year-olds: motalavej, ringparken, sydbyen, skaelskoer
    2017: (52, 71, 38, 23), 2018: (54, 73, 37, 24), 2019: (55, 75, 36, 24), 2020: (53, 76, 37, 25),
    2021: (54, 77, 36, 25),
}
DEBUT = {2017: (7, 9, 5, 2), 2018: (6, 8, 4, 2), 2019: (6, 7, 4, 2), 2020: (5, 6, 3, 2), 2021: (5, 6, 2, 2)}
USE = {2017: (12, 15, 8, 4), 2018: (11, 13, 7, 4), 2019: (10, 11, 6, 4), 2020: (9, 11, 6, 4), 2021: (8, 9, 5, 4)}
KILDE = "Opgørelse SSP"
STYLE = FileStyle(encoding="cp1252", title="Hash blandt 15-25-årige i boligområderne",
                  notes=("Anm.: Tæller = antal unge med debut/brug, Nævner = antal 15-25-årige pr. 1.10.",))


def _rows(year: int) -> list[list[str]]:
    when = f"{year}-10-01"
    rows = []
    for code, counts in (("hash_debut_pct", DEBUT[year]), ("hash_brug_pct", USE[year])):
        rows += [share_row(when, area, code, t, n, KILDE)
                 for area, t, n in zip(AREAS_2017_2021, counts, YOUNG[year], strict=True)]
    if year == 2017:  # the supplier's own pooled line, as in source_formats.md: 2017-10-01;Samlet;…;12,5;23;184
        rows.append(share_row(when, "combined", "hash_debut_pct", sum(DEBUT[year]), sum(YOUNG[year]), KILDE))
    return rows


def write(inbox: Path) -> list[Path]:
    return write_years(inbox, SOURCE, {year: _rows(year) for year in YOUNG}, STYLE)
