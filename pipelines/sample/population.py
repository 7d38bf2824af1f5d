"""A synthetic population for the person-level sample deliveries: households, births, moves, benefits, pupils.

Deterministic (seeded) and vectorised with numpy, so that `kpi sample --scale N` (N times the households)
stays fast at municipal scale. Households live at an address in one of the four areas from a move-in day
to a move-out day; before and after, their members appear in the municipality's lists with an address
outside the areas (near misses included: wrong parity, another postcode, past the range, unknown street),
which the parsers must drop. Children are born into households; benefit spells, offers and pupils follow
from ages and residence. Every CPR number is fake but valid (real date, century digit per the CPR rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

import numpy as np
import polars as pl

SEED = 20171001
EPOCH = date(1970, 1, 1)
FIRST_YEAR, LAST_YEAR = 2014, 2025
AREAS = ("motalavej", "ringparken", "sydbyen", "skaelskoer")
HOUSEHOLDS = (1000, 1150, 700, 500)  # per area at scale 1 (over the whole window; about 40 % live there at a time)
# (street, first, last, step, postcode) per area: numbers inside the ranges of area_addresses.csv.
AREA_STREETS = {
    "motalavej": [("Motalavej", 1, 199, 1, "4200")],
    "ringparken": [("Ringparken", 1, 120, 1, "4200"), ("Schackenborgvænge", 1, 60, 1, "4200")],
    "sydbyen": [("Sydbyvej", 1, 99, 2, "4220"), ("Fjordtoften", 2, 60, 2, "4220")],
    "skaelskoer": [("Parkvej", 1, 39, 2, "4230"), ("Præstevangen", 1, 40, 1, "4230"),
                   ("Præstevænget", 1, 40, 1, "4230")],
}
# Addresses outside the areas, some of them near misses of an area's range.
OUTSIDE_STREETS = [("Algade", 1, 80, 1, "4200"), ("Slotsgade", 1, 60, 1, "4200"), ("Motalavej", 1, 99, 1, "4220"),
                   ("Sydbyvej", 2, 98, 2, "4220"), ("Ringparken", 121, 160, 1, "4200"), ("Nørregade", 1, 40, 1, "4230"),
                   ("Parkvej", 2, 38, 2, "4230")]
SUFFIXES = np.array(["", "", "", "A", "B", ", st. tv", ", st. th", ", 1. tv", ", 2. th", ", 3. mf"])
SCHOOLS = {"motalavej": "Søndermarksskolen", "ringparken": "Nymarkskolen", "sydbyen": "Tårnborg Skole",
           "skaelskoer": "Skælskør Skole"}


def day_number(day: date) -> int:
    return (day - EPOCH).days


@dataclass(frozen=True)
class Population:
    """One row per person (`persons`) and the addresses of their home and of their outside address."""

    persons: pl.DataFrame  # person, cpr, birth_day, female, area, move_in, move_out, home_*, out_*, propensity

    def address_at(self, frame: pl.DataFrame, day_column: str) -> pl.DataFrame:
        """Vejnavn/Husnr/Postnr of each row's person on the row's day: home while resident, else outside."""
        joined = frame.join(self.persons.select("person", "move_in", "move_out", "home_street", "home_number",
                                                "home_postcode", "out_street", "out_number", "out_postcode"),
                            on="person", how="left")
        inside = (pl.col(day_column) >= pl.col("move_in")) & (pl.col(day_column) < pl.col("move_out"))
        return joined.with_columns(
            pl.when(inside).then(pl.col("home_street")).otherwise(pl.col("out_street")).alias("Vejnavn"),
            pl.when(inside).then(pl.col("home_number")).otherwise(pl.col("out_number")).alias("Husnr"),
            pl.when(inside).then(pl.col("home_postcode")).otherwise(pl.col("out_postcode")).alias("Postnr"),
            inside.alias("inside"),
        ).drop("move_in", "move_out", "home_street", "home_number", "home_postcode", "out_street", "out_number",
               "out_postcode")


def _addresses(rng: np.random.Generator, streets: list[tuple[str, int, int, int, str]], count: int):
    choice = rng.integers(0, len(streets), count)
    names = np.array([s[0] for s in streets])[choice]
    first = np.array([s[1] for s in streets])[choice]
    last = np.array([s[2] for s in streets])[choice]
    step = np.array([s[3] for s in streets])[choice]
    postcodes = np.array([s[4] for s in streets])[choice]
    numbers = first + step * rng.integers(0, (last - first) // step + 1)
    suffix = SUFFIXES[rng.integers(0, len(SUFFIXES), count)]
    return names, np.char.add(numbers.astype(str), suffix), postcodes


def _cpr_numbers(rng: np.random.Generator, birth_days: np.ndarray, female: np.ndarray) -> np.ndarray:
    """Unique fake CPR numbers (DDMMYY-SSSS): the 7th digit gives the century, the last digit the sex."""
    dates = birth_days.astype("datetime64[D]")
    years = dates.astype("datetime64[Y]").astype(int) + 1970
    months = dates.astype("datetime64[M]").astype(int) % 12 + 1
    days = (dates - dates.astype("datetime64[M]")).astype(int) + 1
    order = np.argsort(birth_days, kind="stable")
    sorted_days = birth_days[order]
    first_of_day = np.r_[True, sorted_days[1:] != sorted_days[:-1]]
    run_start = np.maximum.accumulate(np.where(first_of_day, np.arange(len(order)), 0))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order)) - run_start
    # 1900s: 7th digit 0-3; 2000-2036: 4 or 9; 2037-2057: 5-8 (CPR-kontoret's table).
    century_digit = np.where(years < 2000, rng.integers(0, 4, len(years)),
                             np.where(years <= 2036, np.where(rng.random(len(years)) < 0.5, 4, 9), 5))
    day_offset = (birth_days * 37) % 500 * 2  # the same for everyone born that day: ranks keep serials unique
    serial = century_digit * 1000 + (day_offset + 2 * rank) % 1000
    serial = serial - serial % 2 + np.where(female, 0, 1)  # odd = male, even = female
    parts = [np.char.zfill(values.astype(str), width) for values, width in
             ((days, 2), (months, 2), (years % 100, 2), (serial, 4))]
    return np.char.add(np.char.add(np.char.add(parts[0], parts[1]), np.char.add(parts[2], "-")), parts[3])


@cache
def population(scale: int = 1) -> Population:
    rng = np.random.default_rng(SEED + scale)
    household_area = np.repeat(np.arange(len(AREAS)), np.array(HOUSEHOLDS) * scale)
    count = len(household_area)
    window_start, window_end = day_number(date(2002, 1, 1)), day_number(date(LAST_YEAR, 12, 31))
    move_in = rng.integers(window_start, window_end, count)
    move_out = move_in + (rng.exponential(9.0, count) * 365).astype(np.int64)
    adults = rng.choice([1, 2], count, p=[0.45, 0.55])
    adult_birth = np.maximum(day_number(date(2003, 12, 31)) - (rng.gamma(2.2, 9.0, count) * 365).astype(np.int64),
                             day_number(date(1935, 1, 1)))
    children = rng.poisson(1.9, count)
    # Adults: one or two per household, close in age.
    adult_household = np.repeat(np.arange(count), adults)
    adult_births = adult_birth[adult_household] + rng.integers(-900, 900, len(adult_household))
    adult_female = np.r_[True, adult_household[1:] != adult_household[:-1]] | (rng.random(len(adult_household)) < 0.1)
    # Children: born 20-42 years after the first adult.
    child_household = np.repeat(np.arange(count), children)
    child_births = adult_birth[child_household] + rng.integers(19 * 365, 38 * 365, len(child_household))
    keep = child_births <= day_number(date(LAST_YEAR, 12, 31))
    child_household, child_births = child_household[keep], child_births[keep]
    household = np.r_[adult_household, child_household]
    births = np.r_[adult_births, child_births]
    female = np.r_[adult_female, rng.random(len(child_household)) < 0.5]
    total = len(household)
    home_street, home_number, home_postcode = np.empty(count, dtype=object), np.empty(count, dtype=object), \
        np.empty(count, dtype=object)
    for index, area_key in enumerate(AREAS):
        members = household_area == index
        names, numbers, postcodes = _addresses(rng, AREA_STREETS[area_key], int(members.sum()))
        home_street[members], home_number[members], home_postcode[members] = names, numbers, postcodes
    out_street, out_number, out_postcode = _addresses(rng, OUTSIDE_STREETS, total)
    person_move_in = np.maximum(move_in[household], births)  # a child born in the area lives there from birth
    persons = pl.DataFrame({
        "person": np.arange(total),
        "household": household,
        "cpr": _cpr_numbers(rng, births, female),
        "birth_day": births.astype("datetime64[D]"),
        "female": female,
        "area": np.array(AREAS)[household_area[household]],
        "move_in": person_move_in.astype("datetime64[D]"),
        "move_out": move_out[household].astype("datetime64[D]"),
        "home_street": home_street[household].astype(str),
        "home_number": home_number[household].astype(str),
        "home_postcode": home_postcode[household].astype(str),
        "out_street": out_street,
        "out_number": out_number,
        "out_postcode": out_postcode,
        "propensity": rng.beta(0.6, 2.2, total),
    })
    return Population(persons)


def rng_for(name: str, scale: int) -> np.random.Generator:
    """A generator of its own per sample source, so one writer's draws do not shift another's."""
    return np.random.default_rng([SEED, scale, *name.encode("utf-8")])
