"""Sample mothers' group questionnaires 2018-2025, before and after each course (source_formats.md section 16).

Two courses a year in Ringparken and in Motalavej, 6-9 mothers each with pseudonymous respondent ids; eight
Likert items, a few left unanswered; most mothers score higher after the course, and some do not answer
the second round. Aggregate: no CPR numbers. UTF-8.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np

from pipelines.sample._csv import write_csv
from pipelines.sample.population import rng_for

YEARS = range(2018, 2026)
AREAS = {"RP": "Ringparken", "MV": "Motalavej"}
ITEMS = 8
HEADER = ["Forløb_id", "Område", "Respondent_id", "Runde", "Dato", *[f"Q{i}" for i in range(1, ITEMS + 1)]]


def _answers(rng: np.random.Generator, level: float) -> list[object]:
    values = np.clip(np.round(rng.normal(level, 0.8, ITEMS)), 1, 5).astype(int).tolist()
    return ["" if rng.random() < 0.05 else value for value in values]


def rows(year: int, scale: int = 1) -> list[list[object]]:
    rng = rng_for(f"questionnaire {year}", scale)
    out: list[list[object]] = [HEADER]
    for code, area in AREAS.items():
        for course, start in enumerate((date(year, 2, 1), date(year, 9, 1)), start=1):
            for respondent in range(1, int(rng.integers(6, 10)) * scale + 1):
                before = 2.4 + rng.normal(0, 0.4)
                course_id = f"MG-{code}-{year}-{course}"
                respondent_id = f"R{respondent:02d}"
                answered = start + timedelta(days=int(rng.integers(0, 7)))
                out.append([course_id, area, respondent_id, "før", f"{answered:%d-%m-%Y}", *_answers(rng, before)])
                if rng.random() < 0.85:
                    after = before + rng.normal(0.7, 0.5)
                    answered = start + timedelta(days=int(rng.integers(98, 112)))
                    out.append([course_id, area, respondent_id, "efter", f"{answered:%d-%m-%Y}",
                                *_answers(rng, after)])
    return out


def write(inbox: Path, scale: int = 1) -> list[Path]:
    return [write_csv(inbox / f"questionnaire_{year}_{year + 1}0115.csv", rows(year, scale), encoding="utf-8")
            for year in YEARS]
