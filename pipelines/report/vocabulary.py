"""The report's Danish words: statuses with their symbols, areas, levels, gap types, and number text.

Statuses, gap types and the aggregate areas' words come from the vocabulary seed (pipelines/vocabulary.py);
the programme's areas, their order and short names travel with the report data (`programme_areas`, read from
the published `areas` table by pipelines/areas.py).
"""

from __future__ import annotations

from datetime import date, datetime

from pipelines.vocabulary import symbols, words

STATUS_DA = words("status")  # in the report's order
# A symbol for every status, so a cell never relies on colour alone (print in black and white, colour blindness).
STATUS_SYMBOL = symbols("status")
STATUS_ORDER = list(STATUS_DA)
AREA_DA = words("area_heading")  # the aggregates; the programme's areas come from its catalog (pipelines/areas.py)
LEVEL_ORDER = ["vision", "strategic", "sub_agreement", "activity", "partnership"]
LEVEL_DA = {"vision": "Vision", "strategic": "Strategisk mål", "sub_agreement": "Delaftale",
            "activity": "Aktivitet", "partnership": "Partnerskab"}
GAP_TYPES_DA = words("gap_type")


def status_label(status: str | None) -> str:
    """Symbol and word, e.g. '✔ Opfyldt'; a dash when there is no status."""
    if status is None:
        return "–"
    return f"{STATUS_SYMBOL[status]} {STATUS_DA[status]}"


def number_da(value: float | None, decimals: int = 2) -> str:
    """Danish number text: decimal comma, thousands point, no trailing zeros (30,65; 34,2; 10.000)."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    if decimals:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", "§").replace(".", ",").replace("§", ".")


def date_da(value: date | datetime | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        return value.strftime("%d-%m-%Y kl. %H:%M")
    return value.strftime("%d-%m-%Y")
