"""Sample media monitoring: negative mentions and positive stories per area, 2017-2021.

Negative mentions (Σ areas) 48 → 41 → 38 → 30 → 29: the −10 % chain is met in 2018 and 2020 and missed
in 2019 and 2021, and every year is below the 2017 baseline. Positive stories 3, 6, 8, 4, 9 against
"mindst 5". UTF-8 with BOM, the supplier's own `I alt` rows and a note row.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.sample._indicator_table import AREAS_2017_2021, FileStyle, count_row, total_row, write_years

SOURCE = "media_monitoring"
NEGATIVE = {  # motalavej, ringparken, sydbyen, skaelskoer
    2017: (16, 18, 9, 5), 2018: (13, 15, 8, 5), 2019: (12, 14, 8, 4), 2020: (9, 11, 6, 4), 2021: (9, 10, 6, 4),
}
POSITIVE = {
    2017: (1, 1, 1, 0), 2018: (2, 2, 1, 1), 2019: (3, 2, 2, 1), 2020: (1, 2, 1, 0), 2021: (3, 3, 2, 1),
}
KILDE = "Infomedia: Sjællandske Slagelse, Slagelse Ugeavis, Korsør Avis"
STYLE = FileStyle(encoding="utf-8-sig", title="Omtale af boligområderne i de tre udvalgte lokale medier",
                  notes=("Anm.: Artikler, der nævner flere områder, tælles under hvert område.",))


def _rows(year: int) -> list[list[str]]:
    rows = []
    for code, counts in (("negative_omtaler", NEGATIVE[year]), ("positive_historier", POSITIVE[year])):
        rows += [count_row(str(year), area, code, n, KILDE) for area, n in zip(AREAS_2017_2021, counts, strict=True)]
        rows.append(total_row(str(year), code, sum(counts)))
    return rows


def write(inbox: Path) -> list[Path]:
    return write_years(inbox, SOURCE, {year: _rows(year) for year in NEGATIVE}, STYLE)
