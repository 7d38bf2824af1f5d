"""Sample partnership follow-up: board assessments, overall evaluations and annual conferences, 2017-2021.

Two board assessments a year except in 2017 (the plan began 1 October) and 2020; one conference a year
(ref_gov_partnership_conferences_per_year) except 2020, cancelled during corona; the two overall
evaluations primo 2019 and ultimo 2021.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.sample._indicator_table import FileStyle, count_row, write_years

SOURCE = "partnership_followup"
COUNTS = {  # bestyrelsesvurderinger, aarskonference, helhedsevaluering (None: no row)
    2017: (1, 1, None), 2018: (2, 1, None), 2019: (2, 1, 1), 2020: (1, 0, None), 2021: (2, 1, 1),
}
KILDE = "Referater fra bestyrelse og partnerskab"


def _rows(year: int) -> list[list[str]]:
    codes = ("bestyrelsesvurderinger", "aarskonference", "helhedsevaluering")
    return [count_row(str(year), "combined", code, n, KILDE)
            for code, n in zip(codes, COUNTS[year], strict=True) if n is not None]


def write(inbox: Path) -> list[Path]:
    return write_years(inbox, SOURCE, {year: _rows(year) for year in COUNTS}, FileStyle(trailing_separator=True))
