"""Sample follow-up on Landsbyggefonden's central measurements, per area and for the programme, 2017-2021."""

from __future__ import annotations

from pathlib import Path

from pipelines.sample._assessments import write_assessments

CRITERIA = {"strat_lbf_central_measurements_followup": ["motalavej", "ringparken", "sydbyen", "skaelskoer",
                                                        "combined"]}


def write(inbox: Path) -> list[Path]:
    return write_assessments(inbox, "lbf_central", CRITERIA, list(range(2017, 2022)), "LBF-opfølgning")
