"""Sample KMD Opera extract 2016-2025 from the synthetic population (source_formats.md section 8).

Benefit spells (YDELSE) of adults aged 16-66, fewer each year; a spell that ends with `Overgået til anden
ydelse` is followed the next day by another (adjacent periods), and spells of one person may overlap.
Offers (TILBUD: praktik, løntilskud, …) start inside a spell, more often in later years. Spells still
running at the extract date have no Slutdato. cp1252, as the jobcenter exports it.

A few spells that end otherwise also hold a second benefit ending the same day with `Selvforsørgelse`
(`SAME_DAY_EXITS`): section 8's tie rule decides them, so a figure that depended on the order of the rows in
the file would show it (tests/test_row_order.py shuffles them).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.sample._person_files import danish_dates, write_frame
from pipelines.sample.population import day_number, population, rng_for

FIRST, LAST, EXTRACTED = date(2016, 1, 1), date(2025, 12, 31), date(2026, 1, 15)
BENEFITS = ["Kontanthjælp", "Uddannelseshjælp", "Integrationsydelse", "A-dagpenge", "Sygedagpenge",
            "Ressourceforløbsydelse", "Jobafklaringsforløb", "Ledighedsydelse"]
YOUNG_WEIGHTS = [0.15, 0.45, 0.08, 0.12, 0.1, 0.04, 0.03, 0.03]
OLDER_WEIGHTS = [0.3, 0.0, 0.1, 0.22, 0.2, 0.07, 0.06, 0.05]
OFFERS = ["Virksomhedspraktik", "Løntilskud privat", "Løntilskud offentlig", "Vejledning og opkvalificering",
          "Nytteindsats"]
OFFER_WEIGHTS = [0.35, 0.15, 0.1, 0.3, 0.1]
EXITS = ["Selvforsørgelse - job", "Selvforsørgelse - uddannelse", "Overgået til anden ydelse", "Fraflyttet kommunen",
         "Sygdom", "Andet", ""]
YOUNG_EXITS = [0.25, 0.25, 0.15, 0.05, 0.05, 0.15, 0.1]
OLDER_EXITS = [0.35, 0.05, 0.2, 0.05, 0.1, 0.15, 0.1]
SAME_DAY_EXITS = 0.005  # share of the other-ending benefit rows given a selvforsørgelse row ending the same day
HEADER = ["CPR", "Vejnavn", "Husnr", "Postnr", "Posttype", "Kode", "Startdato", "Slutdato", "Afgangsårsag"]


def _spells(scale: int) -> pl.DataFrame:
    rng = rng_for("kmd_opera", scale)
    persons = population(scale).persons
    birth = persons["birth_day"].to_numpy().astype("datetime64[D]").astype(np.int64)
    counts = rng.poisson(4.0 * persons["propensity"].to_numpy())
    person = np.repeat(persons["person"].to_numpy(), counts)
    born = np.repeat(birth, counts)
    window = day_number(LAST) - day_number(date(2014, 1, 1))
    # Fewer new spells in later years: the start day's density falls linearly to 55 % over the window.
    u = rng.random(len(person))
    start = day_number(date(2014, 1, 1)) + (window * (1 - np.sqrt(1 - u * (1 - 0.55 ** 2) / 1)) / (1 - 0.55)
                                            ).astype(np.int64)
    start = np.minimum(start, day_number(LAST))
    age = (start - born) / 365.25
    keep = (age >= 16) & (age < 66)
    person, start, age = person[keep], start[keep], age[keep]
    young = age < 30
    duration = 14 + rng.exponential(260, len(person)).astype(np.int64)
    end = start + duration
    code = np.where(young, rng.choice(BENEFITS, len(person), p=YOUNG_WEIGHTS),
                    rng.choice(BENEFITS, len(person), p=OLDER_WEIGHTS))
    exit_reason = np.where(young, rng.choice(EXITS, len(person), p=YOUNG_EXITS),
                           rng.choice(EXITS, len(person), p=OLDER_EXITS))
    # A change of benefit: the next spell starts the day after (adjacent periods).
    follow = exit_reason == "Overgået til anden ydelse"
    f_start = end[follow] + 1
    f_end = f_start + 14 + rng.exponential(200, int(follow.sum())).astype(np.int64)
    f_code = rng.choice(BENEFITS, int(follow.sum()), p=OLDER_WEIGHTS)
    f_exit = rng.choice(EXITS, int(follow.sum()), p=OLDER_EXITS)
    f_exit = np.where(f_exit == "Overgået til anden ydelse", "Andet", f_exit)
    ydelse = pl.concat([pl.DataFrame({
        "person": np.r_[person, person[follow]], "Posttype": "YDELSE", "Kode": np.r_[code, f_code],
        "start": np.r_[start, f_start], "end": np.r_[end, f_end], "Afgangsårsag": np.r_[exit_reason, f_exit],
    }), _same_day_exits(person, start, end, exit_reason, scale)])
    offers = ydelse.filter(pl.Series(rng.random(ydelse.height)) < 0.25 + 0.03 * (
        pl.col("start") - day_number(date(2014, 1, 1))) / 365)
    offer_start = offers["start"].to_numpy() + rng.integers(7, 60, offers.height)
    tilbud = pl.DataFrame({
        "person": offers["person"], "Posttype": "TILBUD", "Kode": rng.choice(OFFERS, offers.height, p=OFFER_WEIGHTS),
        "start": offer_start, "end": offer_start + rng.integers(28, 180, offers.height), "Afgangsårsag": "",
    })
    spells = pl.concat([ydelse, tilbud]).filter(
        (pl.col("end") >= day_number(FIRST)) & (pl.col("start") <= day_number(LAST)))
    open_period = pl.col("end") > day_number(EXTRACTED)
    return spells.with_columns(
        pl.col("start").cast(pl.Int32).cast(pl.Date),
        pl.when(open_period).then(None).otherwise(pl.col("end")).cast(pl.Int32).cast(pl.Date).alias("end"),
        pl.when(open_period).then(pl.lit("")).otherwise(pl.col("Afgangsårsag")).alias("Afgangsårsag"),
    )


def _same_day_exits(person: np.ndarray, start: np.ndarray, end: np.ndarray, exit_reason: np.ndarray,
                    scale: int) -> pl.DataFrame:
    """A second benefit (another code, starting later) ending on the same day as some rows that end otherwise,
    with selvforsørgelse: the spell then ends in selvforsørgelse (section 8). Its own generator, so the other
    rows stay as they were."""
    rng = rng_for("kmd_opera_same_day_exits", scale)
    chosen = (rng.random(len(person)) < SAME_DAY_EXITS) & ~np.char.startswith(exit_reason.astype(str), "Selvfors")
    chosen &= end - start >= 30
    count = int(chosen.sum())
    return pl.DataFrame({
        "person": person[chosen], "Posttype": "YDELSE", "Kode": rng.choice(["A-dagpenge", "Sygedagpenge"], count),
        "start": end[chosen] - rng.integers(7, 30, count), "end": end[chosen],
        "Afgangsårsag": rng.choice(["Selvforsørgelse - job", "Selvforsørgelse - uddannelse"], count),
    })


def extract(scale: int = 1) -> pl.DataFrame:
    """The extract's rows (CPR and address included), ordered as the jobcenter sorts them."""
    people = population(scale)
    spells = people.address_at(_spells(scale), "start").join(people.persons.select("person", "cpr"), on="person")
    rows = spells.sort("cpr", "start", "Posttype").rename({"cpr": "CPR", "start": "Startdato", "end": "Slutdato"})
    return danish_dates(rows, ["Startdato", "Slutdato"]).select(HEADER)


def write(inbox: Path, scale: int = 1) -> list[Path]:
    return [write_frame(inbox / "kmd_opera_2016-2025_20260115.csv", extract(scale), encoding="cp1252")]
