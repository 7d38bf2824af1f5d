"""Sample yearly assessments by the cooperation committee (SU), 2017-2021, for the criteria judged by words."""

from __future__ import annotations

from pathlib import Path

from pipelines.sample._assessments import write_assessments

FOUR = ["motalavej", "ringparken", "sydbyen", "skaelskoer"]
CRITERIA = {
    "act_tryghedsvandring_resident_influence": FOUR,
    "act_tryghedsvandring_safety_strengthened": FOUR,
    "act_aktivtliv_maal_active_community_houses": FOUR,
    "strat_quarterly_delivery_measurement": FOUR,
    "partner_commit_evictions_63d": FOUR,
    "partner_commit_municipal_sanctions_57ab": FOUR,
    "partner_commit_police_followup_criminal_decisions": FOUR,
    "partner_police_sub_effort_2017": ["motalavej", "ringparken"],
    "strat_tt_delmaal_2_lokalt_engagement": ["combined"],
    "strat_kp_maal_fritidsjob_opportunity": ["combined"],
    "strat_kp_maal_foreningsliv_opportunity": ["combined"],
    "act_idraet_communities_self_running": ["combined"],
}


def write(inbox: Path) -> list[Path]:
    return write_assessments(inbox, "samarbejdsudvalg_evaluation", CRITERIA, list(range(2017, 2022)), "SU-referat")
