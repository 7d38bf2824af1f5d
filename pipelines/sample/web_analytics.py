"""Sample website statistics: unique visitors per whole year (act_komm_website_unique_visitors).

10.600 in 2018 meets the 10.000; 2019's 11.200 (source_formats.md's example) misses the +8 % (11.448),
2020 and 2021 make it. Windows-1252 with a title row, thousands separator `.`.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.sample._indicator_table import FileStyle, count_row, write_years

SOURCE = "web_analytics"
UNIQUE_VISITORS = {2017: 4350, 2018: 10600, 2019: 11200, 2020: 12400, 2021: 13650}
STYLE = FileStyle(encoding="cp1252", title="Unikke besøgende på helhedsplanens hjemmeside (hele året)",
                  notes=("Opgjort som unikke enheder over hele året; månedstal kan ikke lægges sammen.",))


def write(inbox: Path) -> list[Path]:
    rows = {year: [count_row(str(year), "combined", "unikke_besoegende", n, "Google Analytics")]
            for year, n in UNIQUE_VISITORS.items()}
    return write_years(inbox, SOURCE, rows, STYLE, delivered_month=1)
