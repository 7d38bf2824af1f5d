"""The Danish name a user reads for each source system (tables of `kpi gaps`, `kpi status` and the report).

The system key (`police_tryghedsindeks`) is what a query or a file name uses; a board member reads the name.
A test keeps this list complete against the parser registry.
"""

from __future__ import annotations

SOURCE_NAMES_DA: dict[str, str] = {
    "baselines": "Baselinebeslutninger",
    "bl_tables": "BL's nøgletal",
    "brand_redning": "Brand og Rednings hændelser",
    "dst_noegletal": "Danmarks Statistiks nøgletal",
    "event_attendance_estimate": "Deltagere i arrangementer",
    "fraflytning_admin": "Fraflytninger",
    "kmd_opera": "Ydelser (KMD Opera)",
    "lbf_central": "LBF's centrale målinger",
    "local_substance_survey": "SSP's rusmiddelopgørelse",
    "media_monitoring": "Omtale i lokale medier",
    "misbrug_treatment_registry": "Misbrugsbehandling",
    "novax": "Sundhedsplejens besøg (Novax)",
    "own_registrations": "Egne registreringer",
    "partnership_followup": "Partnerskabets opfølgning",
    "police_crime_statistics": "Politiets kriminalitetstal",
    "police_haervaerk": "Politiets hærværkstal",
    "police_tryghedsindeks": "Politiets tryghedsindeks",
    "qualitative_interviews": "Kvalitative interview",
    "questionnaire": "Mødregruppernes spørgeskema",
    "samarbejdsudvalg_evaluation": "Samarbejdsudvalgenes evaluering",
    "school_absence": "Skolefravær og dropout-lister",
    "school_readiness": "Uddannelsesparathed",
    "sub_list_government": "Ministeriets liste over udsatte områder",
    "uu_registration": "UU's uddannelsesstatus",
    "vive_lbf_survey": "VIVE/LBF's tryghedsmåling",
    "web_analytics": "Besøg på hjemmesiden",
}


def source_name_da(source_system: str | None) -> str:
    """The Danish name of a source; the key itself for a source this list does not know, a dash for none."""
    if not source_system:
        return "–"
    return SOURCE_NAMES_DA.get(source_system, source_system)
