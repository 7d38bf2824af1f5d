"""Sample move-out lists 2015-2021, one combined file per year from the housing organisations.

Move-outs per area are chosen so that the pooled fraflytningsprocent is the documents' 22 % (taken as
2015) and 21 % (2016); both figures are undated in the seeds, so those years are an assumption. From
the 2017 baseline the chained −10 % rule gets both outcomes, per area and combined.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.reference.addresses import AfdelingRegister
from pipelines.sample._csv import write_csv
from pipelines.settings import REPO_ROOT

YEARS = list(range(2015, 2022))
MOVE_OUTS = {  # per area and year, 2015-2021
    "motalavej": [130, 125, 120, 105, 96, 85, 80],
    "ringparken": [230, 220, 210, 185, 170, 150, 138],
    "sydbyen": [85, 80, 78, 72, 62, 55, 50],
    "skaelskoer": [35, 33, 32, 29, 25, 22, 20],
}
HEADER = ["Boligorganisation", "Afdeling", "Afdelingsnavn", "År", "Antal boliger", "Antal fraflytninger",
          "Heraf interne flytninger"]


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _split(total: int, weights: list[int]) -> list[int]:
    """`total` over the afdelinger in proportion to their dwellings; the last takes the remainder."""
    shares = [round(total * w / sum(weights)) for w in weights[:-1]]
    return [*shares, total - sum(shares)]


def _rows(year: int, index: int) -> list[list[object]]:
    register = AfdelingRegister.from_reference(REPO_ROOT / "sources" / "reference")
    rows: list[list[object]] = [[f"Fraflytninger pr. afdeling {year}"], [], HEADER]
    dwellings_total = move_outs_total = internal_total = 0
    for area_key, series in MOVE_OUTS.items():
        afdelinger = [a for a in register.afdelinger if a.area_key == area_key]
        for afdeling, move_outs in zip(afdelinger, _split(series[index], [a.dwellings for a in afdelinger]),
                                       strict=True):
            internal = round(move_outs * 0.1)
            rows.append([afdeling.organisation, afdeling.number, afdeling.name, year, afdeling.dwellings,
                         move_outs, internal])
            dwellings_total += afdeling.dwellings
            move_outs_total += move_outs
            internal_total += internal
    rows.append(["", "", "I alt", year, _thousands(dwellings_total), move_outs_total, internal_total])
    rows.append(["Kilde: boligorganisationernes administrationssystemer"])
    rows.append([f"Opdateret 20. januar {year + 1}"])
    return rows


def write(inbox: Path) -> list[Path]:
    return [write_csv(inbox / f"fraflytning_admin_{year}_{year + 1}0120.csv", _rows(year, index), encoding="cp1252")
            for index, year in enumerate(YEARS)]
