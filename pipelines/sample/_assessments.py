"""What the sample assessment files share: one file per source and year, verdicts chosen per criterion."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipelines.sample._csv import write_csv

HEADER = ["År", "Område", "Kriterie_id", "Vurdering", "Begrundelse", "Kilde"]
AREA_NAMES = {"motalavej": "Motalavej", "ringparken": "Ringparken", "sydbyen": "Sydbyen",
              "skaelskoer": "Skælskør", "combined": "Samlet"}
REASONS = {
    "opfyldt": "Målet er nået i {year}; indsatsen fortsætter som planlagt.",
    "delvist opfyldt": "Målet er delvist nået i {year}; der følges op i næste års handleplan.",
    "ikke opfyldt": "Målet er ikke nået i {year}; bestyrelsen har bedt om en ny plan.",
}


def verdict(criterion_id: str, area_key: str, year: int) -> str:
    """A stable, mostly positive verdict per criterion, area and year (a demo, not a forecast)."""
    digest = hashlib.sha256(f"{criterion_id}/{area_key}/{year}".encode()).digest()[0]
    return "ikke opfyldt" if digest < 40 else "delvist opfyldt" if digest < 100 else "opfyldt"


def write_assessments(inbox: Path, source_system: str, criteria: dict[str, list[str]], years: list[int],
                      source: str) -> list[Path]:
    paths = []
    for year in years:
        rows: list[list[object]] = [HEADER]
        for criterion_id, areas in criteria.items():
            for area in areas:
                chosen = verdict(criterion_id, area, year)
                rows.append([year, AREA_NAMES[area], criterion_id, chosen, REASONS[chosen].format(year=year),
                             f"{source} {year}"])
        rows += [[], [f"Vurderingerne er drøftet og godkendt på styregruppens møde i december {year}."]]
        paths.append(write_csv(inbox / f"{source_system}_{year}_{year + 1}0115.csv", rows, encoding="utf-8"))
    return paths
