"""Sample yearly assessments by the cooperation committee (SU), 2017-2021, for the criteria judged by words.

2017-2020 arrive as CSV files; 2021 arrives as a filled `kpi templates` workbook, as the committees would
send it once they use the templates (same verdicts, so the demo's figures do not depend on the format).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl

from pipelines.catalog.load import read_catalog
from pipelines.parse._assessments import CRITERION, REASON, SOURCE, VERDICT
from pipelines.periods import year_period
from pipelines.sample._assessments import AREA_NAMES, REASONS, verdict, write_assessments
from pipelines.sample._xlsx import fix_timestamps
from pipelines.settings import DEFAULT_SOURCES
from pipelines.supplier_templates.generate import ASSESSMENT_SOURCES
from pipelines.supplier_templates.sources import assessment_template
from pipelines.supplier_templates.workbook import write_template

SOURCE_SYSTEM = "samarbejdsudvalg_evaluation"
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
TEMPLATE_YEAR = 2021


def _filled_template(inbox: Path, year: int) -> Path:
    catalog = read_catalog(DEFAULT_SOURCES / "reference" / "criteria.yaml")
    template = assessment_template(catalog, _parser(), year_period(year), date(year + 1, 1, 15),
                                   ASSESSMENT_SOURCES[SOURCE_SYSTEM])
    path = write_template(template, inbox)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[template.sheet]
    header = [c.value for c in sheet[1]]
    names = {name: key for key, name in AREA_NAMES.items()} | {
        catalog.areas[key]["name_da"]: key for key in catalog.areas if key != "combined"}
    for row in sheet.iter_rows(min_row=2):
        criterion = row[header.index(CRITERION)].value
        area_key = names.get(row[header.index("Område")].value)
        if area_key not in CRITERIA.get(criterion, []):
            continue  # left empty: the committee gives no verdict on it
        chosen = verdict(criterion, area_key, year)
        row[header.index(VERDICT)].value = chosen
        row[header.index(REASON)].value = REASONS[chosen].format(year=year)
        row[header.index(SOURCE)].value = f"SU-referat {year}"
    workbook.save(path)
    return fix_timestamps(path)


def _parser():
    from pipelines.parse import registry

    return registry()[SOURCE_SYSTEM]


def write(inbox: Path) -> list[Path]:
    csv_years = [y for y in range(2017, 2022) if y != TEMPLATE_YEAR]
    return [*write_assessments(inbox, SOURCE_SYSTEM, CRITERIA, csv_years, "SU-referat"),
            _filled_template(inbox, TEMPLATE_YEAR)]
