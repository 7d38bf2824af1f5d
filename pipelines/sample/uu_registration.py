"""Sample UU status lists 2016-2025: every young person aged 15-29 at 31 December (source_formats.md section 9).

The share in education rises a little each year. UTF-8 without BOM.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.sample._person_files import danish_dates, write_frame
from pipelines.sample.population import population, rng_for

YEARS = range(2016, 2026)
EDUCATIONS = np.array(["EUD Tømrer", "EUD Social- og sundhedshjælper", "EUX Elektriker", "STX", "HF", "HHX",
                       "FGU", "Erhvervsakademi", "Professionsbachelor", "Universitet"])
HEADER = ["CPR", "Vejnavn", "Husnr", "Postnr", "Statusdato", "Status", "Uddannelse"]


def statuses(year: int, scale: int = 1) -> pl.DataFrame:
    rng = rng_for(f"uu_registration {year}", scale)
    people = population(scale)
    day = date(year, 12, 31)
    young = people.persons.filter(pl.col("birth_day").dt.year().is_between(year - 29, year - 15)).select(
        "person", "cpr", pl.lit(day).alias("Statusdato"), (year - pl.col("birth_day").dt.year()).alias("age"))
    age = young["age"].to_numpy()
    in_education = 0.5 + 0.02 * (year - 2016) - np.where(age > 24, 0.3, 0.0)
    draw = rng.random(young.height)
    status = np.where(draw < in_education, "I uddannelse",
                      np.where(draw < in_education + 0.2, "I job",
                               np.where(draw < in_education + 0.35, "Ikke i uddannelse", "Andet")))
    education = np.where(status == "I uddannelse", EDUCATIONS[rng.integers(0, len(EDUCATIONS), young.height)], "")
    rows = people.address_at(young.with_columns(pl.Series("Status", status), pl.Series("Uddannelse", education)),
                             "Statusdato")
    return danish_dates(rows.sort("cpr").rename({"cpr": "CPR"}), ["Statusdato"]).select(HEADER)


def write(inbox: Path, scale: int = 1) -> list[Path]:
    return [write_frame(inbox / f"uu_registration_{year}_{year + 1}0120.csv", statuses(year, scale), encoding="utf-8")
            for year in YEARS]
