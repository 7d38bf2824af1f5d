"""Sample ministry lists (1 December) 2017-2025: which of the four areas are on the list of vulnerable areas.

Assumed: Motalavej and Ringparken are on the list at the start, Sydbyen leaves it after 2018, Ringparken
after 2020 and Motalavej after 2022; Skælskør is never on it.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.sample._assessments import AREA_NAMES, HEADER
from pipelines.sample._csv import write_csv

CRITERION = "vision_no_area_on_sub_list_after_2025"
LAST_YEAR_ON_LIST = {"motalavej": 2022, "ringparken": 2020, "sydbyen": 2018, "skaelskoer": 2016}


def _row(year: int, area: str) -> list[object]:
    on_list = year <= LAST_YEAR_ON_LIST[area]
    reason = ("Området opfylder listens kriterier; Boligministeriets liste 1. december." if on_list
              else "Området opfylder ikke længere listens kriterier.")
    return [year, AREA_NAMES[area], CRITERION, "på listen" if on_list else "ikke på listen", reason,
            f"Boligministeriet {year}"]


def write(inbox: Path) -> list[Path]:
    return [write_csv(inbox / f"sub_list_government_{year}_{year}1201.csv",
                      [HEADER, *[_row(year, area) for area in LAST_YEAR_ON_LIST]], encoding="utf-8")
            for year in range(2017, 2026)]
