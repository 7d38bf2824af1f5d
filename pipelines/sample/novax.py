"""Sample Novax visit extract 2016-2025 from the synthetic population's children (source_formats.md section 10).

Every child born 2013-2025 gets the standard visits of the health visitor (Barselsbesøg, 2-3, 4-6 and 8-10
months, 3-års besøg) that fall in the extract's years, some pregnancy visits, and extra needs visits at
6 and 18 months for a share of the children that rises with the cohort (the 2016 cohort is the baseline);
a few visits are cancelled or missed. The address is the child's address at birth. UTF-8 with BOM.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.sample._person_files import danish_dates, write_frame
from pipelines.sample.population import day_number, population, rng_for

FIRST, LAST = date(2016, 1, 1), date(2025, 12, 31)
# (visit type, days after birth, spread in days, share of children offered the visit in the 2016 cohort, rise/yr)
VISITS = [("Graviditetsbesøg", -60, 30, 0.3, 0.0), ("Barselsbesøg", 7, 4, 1.0, 0.0),
          ("2-3 mdr besøg", 75, 14, 0.95, 0.0), ("4-6 mdr besøg", 150, 20, 0.9, 0.0),
          ("Ekstra behovsbesøg 6 mdr", 185, 10, 0.22, 0.015), ("8-10 mdr besøg", 270, 20, 0.85, 0.0),
          ("Mødregruppe", 60, 20, 0.45, 0.01), ("Ekstra behovsbesøg 18 mdr", 545, 15, 0.15, 0.015),
          ("3-års besøg", 1100, 30, 0.55, 0.02)]
HEADER = ["Barn_CPR", "Fødselsdato", "Vejnavn", "Husnr", "Postnr", "Besøgstype", "Besøgsdato", "Status"]


def extract(scale: int = 1) -> pl.DataFrame:
    rng = rng_for("novax", scale)
    people = population(scale)
    children = people.persons.filter(pl.col("birth_day").dt.year().is_between(2013, 2025)).select(
        "person", "cpr", "birth_day")
    birth = children["birth_day"].to_numpy().astype("datetime64[D]").astype(np.int64)
    cohort = children["birth_day"].dt.year().to_numpy()
    frames = []
    for visit_type, offset, spread, share, rise in VISITS:
        offered = rng.random(children.height) < np.clip(share + rise * (cohort - 2016), 0, 1)
        day = birth + offset + rng.integers(-spread, spread + 1, children.height)
        status = rng.choice(["Gennemført", "Aflyst", "Udeblevet"], children.height, p=[0.92, 0.05, 0.03])
        frames.append(pl.DataFrame({"person": children["person"], "Barn_CPR": children["cpr"].str.replace("-", ""),
                                    "birth": children["birth_day"], "Besøgstype": visit_type,
                                    "visit": day.astype("datetime64[D]"), "Status": status}).filter(
            pl.Series(offered)))
    visits = pl.concat(frames).filter(pl.col("visit").is_between(FIRST, LAST))
    visits = people.address_at(visits, "birth").rename({"birth": "Fødselsdato", "visit": "Besøgsdato"})
    rows = danish_dates(visits.sort("Barn_CPR", "Besøgsdato"), ["Fødselsdato", "Besøgsdato"], "%d.%m.%Y")
    return rows.select(HEADER)


def write(inbox: Path, scale: int = 1) -> list[Path]:
    return [write_frame(inbox / "novax_2016-2025_20260110.csv", extract(scale), encoding="utf-8-sig")]


__all__ = ["day_number", "extract", "write"]
