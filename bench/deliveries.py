"""New deliveries the benchmark drops on top of a sample: person-level quarters and corrected aggregate files.

Written by the sample generator's own functions, at the scale of the sample they extend, so that each is a
file the nightly loads (not a duplicate and not a rejection).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

DROPOUT_SOURCE = "school_absence"
VANDALISM_SOURCE = "police_haervaerk"
CORRECTED_YEAR = 2025  # the last year of the sample's vandalism extracts (delivered 2026-02-14)
FIRST_CORRECTION = date(2026, 6, 12)


def quarters_after_sample(count: int) -> list[tuple[int, int]]:
    """The `count` quarters after the sample's last dropout list, in order."""
    from pipelines.sample.school_absence import QUARTERS

    year, quarter = QUARTERS[-1]
    out = []
    for _ in range(count):
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
        out.append((year, quarter))
    return out


def dropout_file_name(year: int, quarter: int) -> str:
    """As the sample names it: delivered on the 15th of the month after the quarter."""
    delivered = date(year + (quarter == 4), 3 * quarter % 12 + 1, 15)
    return f"{DROPOUT_SOURCE}_dropout_{year}Q{quarter}_{delivered:%Y%m%d}.csv"


def write_dropout_list(folder: Path, year: int, quarter: int, scale: int) -> Path:
    """The school dropout list of one quarter (person level, UTF-8), as the sample generator writes it."""
    from pipelines.sample._person_files import write_frame
    from pipelines.sample.school_absence import dropout_list

    folder.mkdir(parents=True, exist_ok=True)
    return write_frame(folder / dropout_file_name(year, quarter), dropout_list(year, quarter, scale),
                       encoding="utf-8")


def next_quarter_delivery(inbox: Path, scale: int) -> Path:
    """(d): the dropout list of the quarter after the sample's last, in the inbox."""
    [(year, quarter)] = quarters_after_sample(1)
    return write_dropout_list(inbox / DROPOUT_SOURCE, year, quarter, scale)


def write_corrected_vandalism(folder: Path, index: int) -> Path:
    """The police's vandalism extract of CORRECTED_YEAR delivered again `index` days after FIRST_CORRECTION, with
    the second area's count corrected down by index + 1: a new aggregate file that supersedes the one before it
    (aggregate sources are the same at every scale)."""
    from datetime import timedelta

    from pipelines.sample._csv import write_csv
    from pipelines.sample.police_haervaerk import REPORTS, corrected_rows

    area = list(REPORTS)[1]  # the sample's second area: a count in every year
    delivered = FIRST_CORRECTION + timedelta(days=index)
    folder.mkdir(parents=True, exist_ok=True)
    return write_csv(folder / f"{VANDALISM_SOURCE}_{CORRECTED_YEAR}_{delivered:%Y%m%d}.csv",
                     corrected_rows(CORRECTED_YEAR, area, index + 1), encoding="cp1252")
