"""A baseline decided after the agreements were written, delivered as a file (contract rule 3).

Assumed for the demo: the board fixed the 2017 school-absence baseline (school year 2016/17, the grain the
criterion is judged in) from the municipality's own
opgørelse before the school-absence extracts were delivered; a delivered baseline wins over both the
measured value and the catalog's value, and kpi_baselines says so.
"""

from __future__ import annotations

from pathlib import Path

ROWS = [
    ("criterion_id", "area_key", "period", "value", "decided_by", "note"),
    ("strat_ub_school_absence", "combined", "2016/17", "7,9", "Bestyrelsen 14-03-2018",
     "Samlet fravær skoleåret 2016/17 ifølge Slagelse Kommune"),
    ("strat_ub_school_absence", "Motalavej", "2016/17", "8,6", "Bestyrelsen 14-03-2018",
     "Samlet fravær skoleåret 2016/17 ifølge Slagelse Kommune"),
]


def write(inbox: Path) -> list[Path]:
    path = inbox / "baselines_2016-17_20180315.csv"
    path.write_text("".join(";".join(row) + "\n" for row in ROWS), encoding="utf-8")
    return [path]
