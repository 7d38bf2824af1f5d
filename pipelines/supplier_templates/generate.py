"""`kpi templates`: which templates a period needs, written into one folder."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pipelines.catalog.load import read_catalog
from pipelines.parse import registry
from pipelines.periods import Period, parse_period
from pipelines.supplier_templates.sources import assessment_template, indicator_template, own_registrations_template
from pipelines.supplier_templates.spec import Template
from pipelines.supplier_templates.workbook import write_template

# Assessment sources and the programme's own sources whose qualitative criteria they judge as well:
# the committees' yearly evaluation is where a verdict on an own-registration goal is given.
ASSESSMENT_SOURCES: dict[str, tuple[str, ...]] = {
    "samarbejdsudvalg_evaluation": ("own_registrations", "partnership_followup"),
    "qualitative_interviews": (),
}
INDICATOR_SOURCES = ("partnership_followup", "event_attendance_estimate")


def previous_quarter(today: date) -> str:
    quarter = (today.month - 1) // 3
    return f"{today.year - 1}Q4" if quarter == 0 else f"{today.year}Q{quarter}"


def quarters_and_year(token: str) -> tuple[list[Period], Period]:
    """`2025Q1` → ([2025Q1], 2025); `2025` → ([2025Q1 … 2025Q4], 2025)."""
    period = parse_period(token)
    year = parse_period(token[:4])
    quarters = [period] if "Q" in token else [parse_period(f"{token}Q{q}") for q in range(1, 5)]
    return quarters, year


def templates_for(catalog_file: Path, token: str, delivered: date) -> list[Template]:
    catalog = read_catalog(catalog_file)
    parsers = registry()
    quarters, year = quarters_and_year(token)
    templates = [own_registrations_template(catalog, q, delivered) for q in quarters]
    templates += [assessment_template(catalog, parsers[s], year, delivered, also)
                  for s, also in ASSESSMENT_SOURCES.items()]
    templates += [indicator_template(catalog, parsers[s], year, delivered) for s in INDICATOR_SOURCES]
    return [t for t in templates if t.rows]


def write_templates(catalog_file: Path, token: str, out_dir: Path, delivered: date) -> list[Path]:
    return [write_template(t, out_dir / t.source_system) for t in templates_for(catalog_file, token, delivered)]
