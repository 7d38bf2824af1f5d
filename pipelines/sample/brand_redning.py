"""Sample fire-service incident lists 2014-2021: every alarm in the municipality, filtered by address.

Arson per area reproduces the documents: 31 (2014), 15 (2015) and 28 (2016) in the four areas together,
none of them in Sydbyen or Skælskør (000:190, 001:169); from 2017 the chained −10 % rule gets both
outcomes. Around them: other incidents in the areas, arson and other fires elsewhere in the
municipality, and addresses that look close but lie outside (wrong parity, other postcode).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

from pipelines.sample._csv import write_csv

YEARS = list(range(2014, 2022))
ARSON = {  # per area and year, 2014-2021
    "motalavej": [12, 6, 11, 10, 9, 7, 6, 7],
    "ringparken": [19, 9, 17, 14, 13, 11, 10, 9],
    "sydbyen": [0, 0, 0, 1, 0, 1, 0, 1],
    "skaelskoer": [0, 0, 0, 0, 1, 0, 0, 0],
}
STREETS = {  # (street, first, last, step, postcode, town)
    "motalavej": [("Motalavej", 1, 199, 1, "4200", "Slagelse")],
    "ringparken": [("Ringparken", 1, 120, 1, "4200", "Slagelse"), ("Schackenborgvænge", 1, 60, 1, "4200", "Slagelse")],
    "sydbyen": [("Sydbyvej", 1, 99, 2, "4220", "Korsør"), ("Fjordtoften", 2, 60, 2, "4220", "Korsør")],
    "skaelskoer": [("Parkvej", 1, 39, 2, "4230", "Skælskør"), ("Præstevangen", 1, 40, 1, "4230", "Skælskør")],
}
OUTSIDE = [("Algade", "4220", "Korsør"), ("Slotsgade", "4200", "Slagelse"), ("Parkvej", "4200", "Slagelse"),
           ("Sydbyvej", "4220", "Korsør"), ("Motalavej", "4220", "Korsør")]  # the last two: wrong parity / postcode
OTHER_CAUSES = ["Ukendt", "Uopmærksomhed", "Teknisk fejl", ""]
INCIDENT_TYPES = ["Brand i container", "Brand i barnevogn", "Bilbrand", "Brand i lejlighed", "Naturbrand"]
HEADER = ["Hændelsesnr", "Alarmtidspunkt", "Adresse", "Postnr", "By", "Hændelsestype", "Brandårsag"]


def _area_address(rng: random.Random, area_key: str) -> tuple[str, str, str]:
    street, first, last, step, postcode, town = rng.choice(STREETS[area_key])
    number = rng.randrange(first, last + 1, step)
    suffix = rng.choice(["", "", "A", ", st. tv", ", 2. th"])
    return f"{street} {number}{suffix}", postcode, town


def _outside_address(rng: random.Random) -> tuple[str, str, str]:
    street, postcode, town = rng.choice(OUTSIDE)
    number = rng.randrange(2, 60, 2) if street == "Sydbyvej" else rng.randrange(1, 80)
    return f"{street} {number}", postcode, town


def _incidents(year: int, index: int) -> list[tuple[str, str, str, str, str]]:
    """(address, postcode, town, type, cause) for every alarm of the year, in no particular order."""
    rng = random.Random(year)
    incidents = []
    for area_key, counts in ARSON.items():
        incidents += [(*_area_address(rng, area_key), rng.choice(INCIDENT_TYPES), "Påsat")
                      for _ in range(counts[index])]
        incidents += [(*_area_address(rng, area_key), rng.choice(INCIDENT_TYPES), rng.choice(OTHER_CAUSES))
                      for _ in range(rng.randrange(2, 6))]
    incidents += [(*_outside_address(rng), rng.choice(INCIDENT_TYPES), rng.choice(["Påsat", *OTHER_CAUSES]))
                  for _ in range(rng.randrange(25, 40))]
    rng.shuffle(incidents)
    return incidents


def _rows(year: int, index: int) -> list[list[object]]:
    rng = random.Random(-year)
    start = datetime(year, 1, 1)
    incidents = _incidents(year, index)
    times = sorted(start + timedelta(minutes=rng.randrange(0, 365 * 24 * 60)) for _ in incidents)
    rows: list[list[object]] = [[f"Hændelser i Slagelse Kommune {year}"], [], HEADER]
    for number, (when, (address, postcode, town, kind, cause)) in enumerate(zip(times, incidents, strict=True),
                                                                             start=1):
        rows.append([f"{year}-{number:05d}", f"{when:%d-%m-%Y %H:%M}", address, postcode, town, kind, cause])
    rows += [[], [f"Udtrukket fra beredskabets hændelsesregister {year + 1}-02-01"]]
    return rows


def write(inbox: Path) -> list[Path]:
    return [write_csv(inbox / f"brand_redning_{year}_{year + 1}0205.csv", _rows(year, index), encoding="utf-8-sig")
            for index, year in enumerate(YEARS)]
