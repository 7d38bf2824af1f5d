"""Sample interview-based assessments of the værested criteria; interview rounds in 2018, 2020 and 2021 only."""

from __future__ import annotations

from pathlib import Path

from pipelines.sample._assessments import write_assessments

TWO = ["motalavej", "ringparken"]
CRITERIA = {
    "act_vaerested_better_youth_resident_relations": TWO,
    "act_vaerested_more_youth_healthy_communities": TWO,
    "act_vaerested_youth_individual_outcomes": TWO,
}


def write(inbox: Path) -> list[Path]:
    return write_assessments(inbox, "qualitative_interviews", CRITERIA, [2018, 2020, 2021], "Interviewrunde")
