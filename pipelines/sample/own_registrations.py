"""Sample quarterly registration workbooks 2017Q1-2025Q4, one per quarter, as a secretariat keeps them.

Yearly figures per indicator are chosen against each criterion's target (readings.yaml) so that the
demo shows met and not_met years, and on_track/off_track where a target is due at plan end. Flows are
spread over the four quarters (their sum is the yearly figure); stocks and shares are the status at the
end of each quarter (Q4 is the yearly value). Small counts of persons are registered for the whole
programme (`Samlet`), as the secretariat would, so that the areas' cells are not suppressed; leisure jobs
are registered per area as well, with small Sydbyen quarters (the demo of contract rule 8). Fire-safety
evenings stop being registered after 2020, so the demo also shows a `stale` criterion.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.sample._xlsx import write_workbook

PLAN_1 = list(range(2017, 2022))  # calendar years of the 2017-2021 plan (indicators registered 2017-2021)
PLAN_2 = list(range(2021, 2026))  # the 2021-2025 plan's indicators, registered from 2021
AREA_LABELS = {"motalavej": "Motalavej", "ringparken": "Ringparken/Schackenborgvænget", "sydbyen": "Sydbyen",
               "skaelskoer": "Parkvej/Præstevangen", "combined": "Samlet"}
QUARTER_WEIGHTS = (0.2, 0.3, 0.2, 0.3)


# indicator → (activity, years, kind, {area: yearly figures}); kind: flow (spread) | stock (Q4, ramps up)
REGISTRATIONS: dict[str, tuple[str, list[int], str, dict[str, list[float]]]] = {
    # registered per area as well as in all: Sydbyen's quarters are small cells (2, 3, 2, 3), and the
    # yearly total in all (the criterion's figure) stays published through complementary cells (rule 8)
    "fritidsjob_formidlet": ("Fritidsjobindsats", PLAN_1, "flow",
                             {"motalavej": [30, 40, 30, 25, 30], "ringparken": [0, 30, 30, 10, 30],
                              "sydbyen": [10, 10, 10, 10, 10], "combined": [40, 80, 70, 45, 70]}),
    "fritidsjob_fastholdt_2mdr_pct": ("Fritidsjobindsats", PLAN_1, "stock", {"combined": [45, 52, 55, 48, 57.5]}),
    "fritidsjob_frivilligkorps": ("Fritidsjobindsats", PLAN_1, "stock",
                                  {"motalavej": [0, 1, 1, 1, 1], "ringparken": [0, 0, 1, 1, 1],
                                   "sydbyen": [0, 0, 0, 1, 0]}),
    "fritidsjob_frivillige": ("Fritidsjobindsats", PLAN_1, "stock", {"combined": [15, 26, 28, 22, 30]}),
    "idraet_faellesskaber": ("Idrætsfællesskaber", PLAN_1, "stock",
                             {"motalavej": [0, 1, 2, 1, 2], "ringparken": [0, 1, 1, 1, 1],
                              "sydbyen": [0, 1, 1, 1, 1]}),
    "idraet_unge_i_faellesskab": ("Idrætsfællesskaber", PLAN_1, "stock",
                                  {"motalavej": [0, 11, 12, 9, 12], "ringparken": [0, 9, 11, 12, 13],
                                   "sydbyen": [0, 10, 8, 10, 11]}),
    "idraet_oevrige_unge_ugentlig": ("Idrætsfællesskaber", PLAN_1, "stock",
                                     {"motalavej": [15, 22, 24, 18, 25], "ringparken": [18, 21, 25, 22, 26],
                                      "sydbyen": [10, 19, 21, 20, 22]}),
    "idraet_boern_til_foreninger": ("Idrætsfællesskaber", PLAN_1, "flow", {"combined": [30, 55, 62, 41, 58]}),
    "aktivtliv_frivillige": ("Aktivt liv", PLAN_1, "stock", {"combined": [35, 52, 55, 48, 58]}),
    "aktivtliv_store_arrangementer": ("Aktivt liv", PLAN_1, "flow", {"combined": [1, 3, 2, 1, 4]}),
    "aktivtliv_arbejdsgrupper": ("Aktivt liv", PLAN_1, "stock",
                                 {"motalavej": [1, 1, 2, 1, 1], "ringparken": [1, 2, 2, 1, 2],
                                  "sydbyen": [0, 1, 1, 1, 1], "skaelskoer": [0, 0, 0, 0, 0]}),
    # registered until the end of 2020 only: the demo's 2021 for this criterion is `stale`
    "aktivtliv_brandaftener": ("Aktivt liv", PLAN_1[:-1], "flow",
                               {"motalavej": [1, 3, 2, 1], "ringparken": [2, 3, 3, 2],
                                "sydbyen": [1, 2, 2, 1], "skaelskoer": [0, 1, 1, 1]}),
    "komm_beboere_involveret": ("Kommunikation", PLAN_1, "flow", {"combined": [10, 18, 22, 12, 20]}),
    "komm_viceværter_kursus_pct": ("Kommunikation", PLAN_1, "stock", {"combined": [20, 40, 55, 70, 80]}),
    "bydelsforaeldre_grupper": ("Bydelsforældre", PLAN_1, "stock",
                                {"motalavej": [1, 1, 1, 1, 2], "ringparken": [1, 2, 2, 1, 2],
                                 "sydbyen": [0, 1, 1, 1, 1], "skaelskoer": [0, 0, 0, 0, 0]}),
    "bydelsforaeldre_aktive": ("Bydelsforældre", PLAN_1, "stock", {"combined": [20, 31, 34, 28, 33]}),
    "tryghedsvandringer": ("Tryghedsvandringer", PLAN_1, "flow",
                           {"motalavej": [1, 2, 2, 1, 2], "ringparken": [1, 2, 1, 0, 2],
                            "sydbyen": [0, 1, 1, 1, 1], "skaelskoer": [0, 1, 1, 0, 1]}),
    "vaerested_henvendelser": ("Værested", PLAN_1, "flow",
                               {"motalavej": [40, 48, 55, 38, 60], "ringparken": [52, 60, 58, 50, 66]}),
    "board_vurderinger": ("Bestyrelse", PLAN_1, "flow", {"combined": [1, 2, 2, 1, 2]}),
    "beboervejledning_samtaler": ("Beboervejledning", PLAN_2, "flow",
                                  {"motalavej": [420, 470, 500, 520, 560], "ringparken": [610, 660, 690, 720, 750],
                                   "sydbyen": [320, 350, 370, 380, 400]}),
    "engagement_store_aktiviteter": ("Lokalt engagement", PLAN_2, "flow",
                                     {"motalavej": [3, 4, 5, 4, 4], "ringparken": [4, 5, 6, 4, 5],
                                      "sydbyen": [2, 3, 3, 3, 4]}),
    "engagement_boern_demokrati": ("Lokalt engagement", PLAN_2, "flow", {"combined": [8, 12, 13, 10, 15]}),
}


def _spread(total: float) -> list[int]:
    """A yearly flow over four quarters (whole numbers summing to the total)."""
    quarters = [int(total * weight) for weight in QUARTER_WEIGHTS[:3]]
    return [*quarters, int(total) - sum(quarters)]


def _quarter_value(kind: str, figures: list[float], index: int, quarter: int) -> float:
    if kind == "flow":
        return _spread(figures[index])[quarter - 1]
    previous = figures[index - 1] if index else 0
    return figures[index] if quarter == 4 else round(previous + (figures[index] - previous) * quarter / 4)


def _cell(value: float, indicator: str) -> object:
    if indicator.endswith("_pct"):
        return f"{value:.1f}%".replace(".", ",")
    return int(value)


def _rows(year: int, quarter: int) -> list[list[object]]:
    rows: list[list[object]] = [[f"Registrering {year} kvartal {quarter}"],
                                ["Aktivitet", "Indikator", "Område", "Antal", "Bemærkning"]]
    total = 0
    for indicator, (activity, years, kind, by_area) in REGISTRATIONS.items():
        if year not in years:
            continue
        for area, figures in by_area.items():
            value = _quarter_value(kind, figures, years.index(year), quarter)
            remark = "bestand ultimo kvartal" if kind == "stock" and area != "combined" else ""
            rows.append([activity, indicator, AREA_LABELS[area], _cell(value, indicator), remark])
            total += 0 if indicator.endswith("_pct") else int(value)
    rows.append(["I alt", "", "", total, ""])
    rows += [[], ["Bestande er opgjort ultimo kvartalet; strømme er summen over kvartalet."]]
    return rows


def write(inbox: Path) -> list[Path]:
    years = sorted({year for _, years, _, _ in REGISTRATIONS.values() for year in years})
    return [write_workbook(inbox / f"own_registrations_{year}Q{quarter}_{year + (quarter == 4)}"
                                   f"{(quarter * 3 + 1) % 12:02d}15.xlsx", {"Registrering": _rows(year, quarter)})
            for year in years for quarter in (1, 2, 3, 4)]
