"""Sample UPV result lists 2016/17-2024/25: grade 8 assessed in December, grade 9 in January (section 13).

The share assessed uddannelsesparat rises over the years. UTF-8.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.sample._person_files import danish_dates, write_frame
from pipelines.sample._pupils import pupils, school_year_label
from pipelines.sample.population import rng_for

SCHOOL_YEARS = range(2016, 2025)
HEADER = ["Skoleår", "Elev_CPR", "Klassetrin", "Vejnavn", "Husnr", "Postnr", "Vurderingsdato", "Vurdering"]


def assessments(year: int, scale: int = 1) -> pl.DataFrame:
    rng = rng_for(f"school_readiness {year}", scale)
    frame = pupils(year, scale, rng, grades=range(8, 10))
    ready = rng.random(frame.height) < 0.55 + 0.025 * (year - 2016) - 0.3 * frame["propensity"].to_numpy()
    rows = frame.with_columns(
        pl.lit(school_year_label(year)).alias("Skoleår"),
        pl.when(pl.col("Klassetrin") == 8).then(pl.lit(date(year, 12, 1))).otherwise(pl.lit(date(year + 1, 1, 15)))
        .alias("Vurderingsdato"),
        pl.Series("Vurdering", np.where(ready, "Uddannelsesparat", "Ikke uddannelsesparat")),
    )
    return danish_dates(rows.sort("cpr").rename({"cpr": "Elev_CPR"}), ["Vurderingsdato"]).select(HEADER)


def write(inbox: Path, scale: int = 1) -> list[Path]:
    return [write_frame(inbox / f"school_readiness_{year}-{(year + 1) % 100:02d}_{year + 1}0301.csv",
                        assessments(year, scale), encoding="utf-8") for year in SCHOOL_YEARS]
