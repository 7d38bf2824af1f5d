"""The report's Danish words: statuses with their symbols, areas, levels, gap types, and number text."""

from __future__ import annotations

from datetime import date, datetime

STATUS_DA = {
    "met": "Opfyldt",
    "not_met": "Ikke opfyldt",
    "on_track": "På sporet",
    "off_track": "Bagud",
    "missing_data": "Mangler data",
    "missing_baseline": "Mangler baseline",
    "suppressed": "Diskretioneret",
    "stale": "Forældet",
    "not_due": "Ikke forfalden",
    "qualitative": "Kvalitativ vurdering",
    "needs_reading": "Kræver læsning",
}
# A symbol for every status, so a cell never relies on colour alone (print in black and white, colour blindness).
STATUS_SYMBOL = {
    "met": "✔",
    "not_met": "✖",
    "on_track": "✓",
    "off_track": "⚠",
    "missing_data": "○",
    "missing_baseline": "◌",
    "suppressed": "⊘",
    "stale": "◷",
    "not_due": "…",
    "qualitative": "✎",
    "needs_reading": "⚖",
}
STATUS_ORDER = list(STATUS_DA)
AREA_ORDER = ["motalavej", "ringparken", "sydbyen", "skaelskoer", "combined", "combined_mean"]
AREA_DA = {"combined": "Samlet (puljet)", "combined_mean": "Samlet (gennemsnit)"}
AREA_SHORT_DA = {"motalavej": "Motalavej", "ringparken": "Ringparken", "sydbyen": "Sydbyen",
                 "skaelskoer": "Skælskør", "combined": "Samlet", "combined_mean": "Gns."}
LEVEL_ORDER = ["vision", "strategic", "sub_agreement", "activity", "partnership"]
LEVEL_DA = {"vision": "Vision", "strategic": "Strategisk mål", "sub_agreement": "Delaftale",
            "activity": "Aktivitet", "partnership": "Partnerskab"}
GAP_TYPES_DA = {
    "missing_delivery": "Manglende leverance",
    "missing_baseline": "Manglende baseline",
    "stale": "Forældede data",
    "failed_validation": "Afvist leverance",
    "suppressed": "Diskretioneret",
    "unmapped_area": "Ukendt område i leverance",
    "needs_reading": "Kræver bestyrelsens beslutning",
}


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


def area_sort_key(area_key: str) -> tuple[int, str]:
    return (AREA_ORDER.index(area_key) if area_key in AREA_ORDER else len(AREA_ORDER), area_key)
