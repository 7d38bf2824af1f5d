"""Sample absence per pupil and school year 2016/17-2024/25 and the dropout lists 2017Q4-2025Q3.

Sections 11 and 12 of source_formats.md. Absence by kind in whole and half days, unlawful absence falling
over the years; the quarter's dropout list holds pupils of grades 6-10 with much absence, fewer each
quarter from the 2017Q4 baseline. UTF-8 with BOM (school years) and UTF-8 (dropout lists).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.sample._person_files import danish_decimal, write_frame
from pipelines.sample._pupils import pupils, school_year_label
from pipelines.sample.population import population, rng_for

SCHOOL_YEARS = range(2016, 2025)
QUARTERS = [(2017, 4)] + [(year, quarter) for year in range(2018, 2026) for quarter in range(1, 5)
                          if (year, quarter) <= (2025, 3)]
SCHOOL_DAYS = 200
YEAR_HEADER = ["Skoleår", "Elev_CPR", "Skole", "Klassetrin", "Vejnavn", "Husnr", "Postnr", "Skoledage",
               "Fravær sygdom", "Fravær lovligt", "Fravær ulovligt"]
DROPOUT_HEADER = ["Kvartal", "Elev_CPR", "Vejnavn", "Husnr", "Postnr", "Skole", "Fraværsprocent"]


def _half_days(rng: np.random.Generator, mean: np.ndarray | float, count: int) -> np.ndarray:
    return np.round(rng.gamma(1.5, np.asarray(mean) / 1.5, count) * 2) / 2


def pupil_years(year: int, scale: int = 1) -> pl.DataFrame:
    rng = rng_for(f"school_absence {year}", scale)
    frame = pupils(year, scale, rng)
    trend = 1 - 0.03 * (year - 2016)
    propensity = frame["propensity"].to_numpy()
    sick = _half_days(rng, 6.5, frame.height)
    lawful = _half_days(rng, 2.5, frame.height)
    unlawful = _half_days(rng, (1 + 8 * propensity) * trend, frame.height)
    rows = frame.with_columns(
        pl.lit(school_year_label(year)).alias("Skoleår"), pl.lit(SCHOOL_DAYS).alias("Skoledage"),
        danish_decimal(pl.Series(np.minimum(sick, 100))).alias("Fravær sygdom"),
        danish_decimal(pl.Series(np.minimum(lawful, 40))).alias("Fravær lovligt"),
        danish_decimal(pl.Series(np.minimum(unlawful, 60))).alias("Fravær ulovligt"),
    )
    return rows.sort("cpr").rename({"cpr": "Elev_CPR"}).select(YEAR_HEADER)


def dropout_list(year: int, quarter: int, scale: int = 1) -> pl.DataFrame:
    rng = rng_for(f"school_absence_dropout {year}Q{quarter}", scale)
    school_year = year if quarter >= 3 else year - 1
    frame = pupils(school_year, scale, rng, grades=range(6, 11))
    people = population(scale)
    frame = people.address_at(frame.drop("Vejnavn", "Husnr", "Postnr", "inside").with_columns(
        pl.lit(date(year, 3 * quarter - 2, 1)).alias("quarter_start")), "quarter_start")
    steps = (year - 2017) * 4 + quarter - 4
    chance = (0.04 + 0.6 * frame["propensity"].to_numpy() ** 2) * max(0.45, 1 - 0.035 * steps)
    listed = frame.filter(pl.Series(rng.random(frame.height) < chance))
    pct = 10 + rng.gamma(2.0, 5.0, listed.height)
    return listed.with_columns(pl.lit(f"{year}Q{quarter}").alias("Kvartal"),
                               danish_decimal(pl.Series(np.minimum(pct, 95))).alias("Fraværsprocent")).sort(
        "cpr").rename({"cpr": "Elev_CPR"}).select(DROPOUT_HEADER)


def write(inbox: Path, scale: int = 1) -> list[Path]:
    written = [write_frame(inbox / f"school_absence_{year}-{(year + 1) % 100:02d}_{year + 1}0815.csv",
                           pupil_years(year, scale), encoding="utf-8-sig") for year in SCHOOL_YEARS]
    for year, quarter in QUARTERS:
        delivered = date(year + (quarter == 4), 3 * quarter % 12 + 1, 15)
        written.append(write_frame(inbox / f"school_absence_dropout_{year}Q{quarter}_{delivered:%Y%m%d}.csv",
                                   dropout_list(year, quarter, scale), encoding="utf-8"))
    return written
