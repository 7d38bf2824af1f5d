"""The synthetic population's pupils per school year: grade from the birth year, school from the home area."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from pipelines.sample.population import SCHOOLS, population

OTHER_SCHOOLS = ["Slagelse Privatskole", "Vestre Skole", "Korsør Lilleskole"]


def school_year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def pupils(year: int, scale: int, rng: np.random.Generator, grades: range = range(0, 11)) -> pl.DataFrame:
    """Pupils of school year `year`/`year+1` (grade = year − birth year − 6) with their address on 1 August."""
    people = population(scale)
    frame = people.persons.with_columns((year - pl.col("birth_day").dt.year() - 6).alias("Klassetrin")).filter(
        pl.col("Klassetrin").is_between(grades.start, grades.stop - 1)).select(
        "person", "cpr", "area", "propensity", "Klassetrin", pl.lit(date(year, 8, 1)).alias("school_start"))
    frame = people.address_at(frame, "school_start")
    other = np.array(OTHER_SCHOOLS)[rng.integers(0, len(OTHER_SCHOOLS), frame.height)]
    home_school = frame["area"].replace_strict(SCHOOLS).to_numpy()
    school = np.where(frame["inside"].to_numpy() & (rng.random(frame.height) < 0.85), home_school, other)
    return frame.with_columns(pl.Series("Skole", school))
