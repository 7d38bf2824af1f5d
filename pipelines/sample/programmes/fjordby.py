"""The second sample programme, "Helhedsplan Fjordby og Strandvig 2022-2026": three areas in two towns, its own
criteria, authored in the catalog workbook `sources/programmes/fjordby/katalog.xlsx` (the source; edit it in Excel).

`write_programme` imports the workbook (as `kpi catalog import` does) into reference/criteria.yaml and
readings.yaml, writes the programme's own reference files (area aliases and addresses, afdelinger, a delivery
calendar with its own suppliers and deadlines) and its sample deliveries in inbox/. The figures are invented and
small on purpose: tests/test_programmes.py computes statuses from them by hand.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pipelines.catalog_workbook.files import load_checked, write_catalog_files
from pipelines.sample._csv import write_csv
from pipelines.sample._indicator_table import danish_number, file_path, write_table
from pipelines.settings import REPO_ROOT

PLAN_ID = "fjordby"
WORKBOOK = REPO_ROOT / "sources" / "programmes" / PLAN_ID / "katalog.xlsx"
AREA_NAMES = {"bakkehusene": "Bakkehusene", "engparken": "Engparken", "havnegade": "Havnegade", "combined": "Samlet"}
YEARS = range(2021, 2026)  # 2021 is the baseline year; the plan runs 2022-2026

# police_haervaerk: reports per area and year (2021..2025)
VANDALISM = {"bakkehusene": [40, 35, 30, 28, 24], "engparken": [20, 19, 16, 14, 12], "havnegade": [15, 14, 12, 12, 10]}
# the indicator-table sources (source_formats.md §15): per source, indicator and area, one figure per year
COUNTS = {
    ("web_analytics", "unikke_besoegende", "combined"): [2600, 2800, 3100, 3300, 2950],
    ("media_monitoring", "positive_historier", "combined"): [6, 8, 12, 11, 14],
    ("media_monitoring", "negative_omtaler", "combined"): [20, 17, 16, 13, 11],
    ("event_attendance_estimate", "deltagere_anslaaet", "havnegade"): [700, 900, 1200, 1400, 1650],
    ("misbrug_treatment_registry", "foraeldre_u40_i_behandling", "combined"): [5, 6, 6, 8, 9],
    ("partnership_followup", "aarskonference", "combined"): [1, 1, 1, 0, 1],
}
# shares as (numerator per year, denominator): Værdi = numerator / denominator * 100
SHARES = {
    ("vive_lbf_survey", "faellesskab_pct", "bakkehusene"): ([48, 50, 53, 56, 58], 100),
    ("vive_lbf_survey", "faellesskab_pct", "engparken"): ([46, 45, 47, 48, 50], 80),
    ("vive_lbf_survey", "faellesskab_pct", "havnegade"): ([30, 31, 33, 34, 36], 60),
    ("vive_lbf_survey", "tillid_myndigheder_pct", "bakkehusene"): ([40, 41, 43, 45, 47], 100),
    ("vive_lbf_survey", "tillid_myndigheder_pct", "engparken"): ([40, 40, 41, 43, 44], 80),
    ("vive_lbf_survey", "tillid_myndigheder_pct", "havnegade"): ([27, 28, 30, 31, 33], 60),
    ("local_substance_survey", "hash_brug_pct", "bakkehusene"): ([28, 24, 20, 20, 16], 200),
    ("local_substance_survey", "hash_brug_pct", "engparken"): ([15, 15, 12, 12, 11], 150),
    ("local_substance_survey", "hash_brug_pct", "havnegade"): ([16, 12, 12, 8, 8], 120),
}
# school_absence: pupils per area, and each pupil's absence days (of 200 school days) per school year 2021/22..2025/26
PUPILS = 6
ABSENCE_DAYS = {"bakkehusene": [16, 15, 13, 12, 12],
                "engparken": [12, 12, 11, 10, 9], "havnegade": [14, 12, 12, 11, 10]}
# kmd_opera: per area, the year each resident's benefit (YDELSE) spell from 1 January 2021 ends (on 30 June)
BENEFIT_ENDS = {"bakkehusene": [2021, 2022, 2024, *[2025] * 7], "engparken": [2022, 2023, *[2025] * 6],
                "havnegade": [2023, *[2025] * 5]}
# an address inside each area's range of area_addresses.csv: street, first house number, step, postcode
STREETS = {"bakkehusene": ("Bakkevej", 1, 2, "9990"), "engparken": ("Engparken", 1, 1, "9990"),
           "havnegade": ("Havnegade", 2, 2, "9995")}
# samarbejdsudvalg_evaluation: the committee's verdict on samarbejdsudvalg_vurdering per year (2022..2025)
VERDICTS = ["delvist opfyldt", "opfyldt", "opfyldt", "ikke opfyldt"]
# kildesystem, supplier, deadline in months after the year's end (also when the figure is published)
SUPPLIERS = [
    ("police_haervaerk", "Fjordby Politikreds", 2),
    ("web_analytics", "Sekretariatet for Helhedsplan Fjordby", 1),
    ("media_monitoring", "Sekretariatet for Helhedsplan Fjordby", 2),
    ("event_attendance_estimate", "Kulturfestivalen i Havnegade", 2),
    ("vive_lbf_survey", "VIVE og Landsbyggefonden", 5),
    ("local_substance_survey", "SSP Fjordby", 4),
    ("misbrug_treatment_registry", "Rusmiddelcenter Fjordby", 4),
    ("partnership_followup", "Partnerskabets sekretariat i Fjordby", 3),
    ("samarbejdsudvalg_evaluation", "Samarbejdsudvalget, Fjordby Boligforening", 3),
    ("qualitative_interviews", "Sekretariatet for Helhedsplan Fjordby", 3),
    ("kmd_opera", "Jobcenter Fjordby", 2),
    ("school_absence", "Børn og Unge, Fjordby Kommune", 1),
]
SOURCE_NAMES = {"web_analytics": "Webstatistik", "media_monitoring": "Egen medieovervågning",
                "event_attendance_estimate": "Festivalens optælling", "vive_lbf_survey": "VIVE/LBF",
                "local_substance_survey": "SSP-opgørelse", "misbrug_treatment_registry": "Rusmiddelcentret",
                "partnership_followup": "Partnerskabets referater"}


def _deadline(source: str) -> int:
    return next(months for key, _, months in SUPPLIERS if key == source)


def _write_catalog(reference: Path) -> list[Path]:
    """criteria.yaml and readings.yaml from the workbook, exactly as `kpi catalog import` writes them."""
    checked = load_checked(WORKBOOK)
    if not checked.ok:
        raise SystemExit("\n".join(p.line_da() for p in checked.problems))
    return write_catalog_files(checked, reference, WORKBOOK)


def _write_reference(reference: Path) -> list[Path]:
    reference.mkdir(parents=True, exist_ok=True)
    aliases = [["area_key", "name"], ["bakkehusene", "Bakkehusene"], ["bakkehusene", "Bakkehusene afd. 4"],
               ["engparken", "Engparken"], ["engparken", "Engparken (Fjordby)"], ["havnegade", "Havnegade"],
               ["havnegade", "Havnegade-kvarteret"], ["combined", "Samlet"]]
    addresses = [["vejnavn", "husnr_fra", "husnr_til", "side", "postnr", "by", "area_key", "boligorganisation",
                  "afdeling"],
                 ["Bakkevej", "1", "79", "ulige", "9990", "Fjordby", "bakkehusene", "Fjordby Boligforening", "4"],
                 ["Engparken", "1", "120", "alle", "9990", "Fjordby", "engparken", "Fjordby Boligforening", "7"],
                 ["Havnegade", "2", "48", "lige", "9995", "Strandvig", "havnegade", "Strandvig Bolig", "2"]]
    afdelinger = [["boligorganisation", "afdeling", "afdelingsnavn", "area_key", "boliger"],
                  ["Fjordby Boligforening", "4", "Bakkehusene", "bakkehusene", "360"],
                  ["Fjordby Boligforening", "7", "Engparken", "engparken", "290"],
                  ["Strandvig Bolig", "2", "Havnegade", "havnegade", "180"]]
    calendar = [["kildesystem", "leverandoer", "frekvens", "fristregel", "frist_maaneder", "frist_dage",
                 "interval_maaneder", "udgivet_efter_maaneder", "antaget", "grundlag"],
                *[[key, supplier, "årlig", f"{months} måneder efter årets udgang", str(months), "0", "12",
                   str(months), "nej", "Aftale mellem sekretariatet og leverandøren"]
                  for key, supplier, months in SUPPLIERS]]
    return [*_write_catalog(reference),
            write_csv(reference / "area_aliases.csv", aliases, encoding="utf-8"),
            write_csv(reference / "area_addresses.csv", addresses, encoding="utf-8"),
            write_csv(reference / "afdelinger.csv", afdelinger, encoding="utf-8"),
            write_csv(reference / "delivery_calendar.csv", calendar, encoding="utf-8")]


def _vandalism(inbox: Path) -> list[Path]:
    folder = inbox / "police_haervaerk"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for index, year in enumerate(YEARS):
        rows = [["År", "Område", "Anmeldelser af hærværk"],
                *[[year, AREA_NAMES[key], counts[index]] for key, counts in VANDALISM.items()]]
        delivered = date(year + 1, 1 + _deadline("police_haervaerk"), 1)
        written.append(write_csv(folder / f"police_haervaerk_{year}_{delivered:%Y%m%d}.csv", rows,
                                 encoding="cp1252"))
    return written


def _indicator_rows(source: str, index: int, year: int) -> list[list[str]]:
    rows = [[str(year), AREA_NAMES[area], code, danish_number(figures[index]), "", "", SOURCE_NAMES[source]]
            for (key, code, area), figures in COUNTS.items() if key == source]
    rows += [[str(year), AREA_NAMES[area], code, danish_number(numerators[index] / denominator * 100, 1),
              str(numerators[index]), str(denominator), SOURCE_NAMES[source]]
             for (key, code, area), (numerators, denominator) in SHARES.items() if key == source]
    return rows


def _indicator_tables(inbox: Path) -> list[Path]:
    written = []
    for source in sorted({key for key, _, _ in [*COUNTS, *SHARES]}):
        (inbox / source).mkdir(parents=True, exist_ok=True)
        for index, year in enumerate(YEARS):
            delivered = date(year + 1, 1 + _deadline(source), 1)
            written.append(write_table(file_path(inbox / source, source, year, delivered),
                                       _indicator_rows(source, index, year)))
    return written


def _cpr(born: date, serial: int) -> str:
    """A fake but valid CPR number: the birth day, then a serial whose first digit is right for the century."""
    century_digit = 4 if born.year >= 2000 else 1
    return f"{born:%d%m%y}-{century_digit}{serial:03d}"


def _address(area: str, index: int) -> tuple[str, str, str]:
    street, first, step, postcode = STREETS[area]
    return street, str(first + step * index), postcode


def _school_absence(inbox: Path) -> list[Path]:
    """One file per school year (delivered 15 August); every pupil has 200 school days."""
    folder = inbox / "school_absence"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for index, year in enumerate(range(2021, 2026)):
        school_year = f"{year}/{(year + 1) % 100:02d}"
        rows = [["Skoleår", "Elev_CPR", "Skole", "Klassetrin", "Vejnavn", "Husnr", "Postnr", "Skoledage",
                 "Fravær sygdom", "Fravær lovligt", "Fravær ulovligt"]]
        for number, (area, days) in enumerate(ABSENCE_DAYS.items()):
            for pupil in range(PUPILS):
                street, house, postcode = _address(area, pupil)
                rows.append([school_year, _cpr(date(2010, 1 + number, 1 + pupil), pupil), "Fjordby Skole",
                             str(5 + index), street, house, postcode, "200", str(days[index] - 4), "2", "2"])
        path = folder / f"school_absence_{year}-{(year + 1) % 100:02d}_{year + 1}0815.csv"
        written.append(write_csv(path, rows, encoding="utf-8-sig"))
    return written


def _kmd_opera(inbox: Path) -> list[Path]:
    """One extract of 2021-2025: each resident's one benefit spell, 1 January 2021 to 30 June of its end year."""
    folder = inbox / "kmd_opera"
    folder.mkdir(parents=True, exist_ok=True)
    rows = [["CPR", "Vejnavn", "Husnr", "Postnr", "Posttype", "Kode", "Startdato", "Slutdato", "Afgangsårsag"]]
    for number, (area, ends) in enumerate(BENEFIT_ENDS.items()):
        for person, end in enumerate(ends):
            street, house, postcode = _address(area, person)
            reason = "Selvforsørgelse - job" if end < 2025 else "Andet"
            rows.append([_cpr(date(1985, 1 + number, 1 + person), person), street, house, postcode, "YDELSE",
                         "Kontanthjælp", "01-01-2021", f"30-06-{end}", reason])
    return [write_csv(folder / "kmd_opera_2021-2025_20260301.csv", rows, encoding="cp1252")]


def _verdicts(inbox: Path) -> list[Path]:
    folder = inbox / "samarbejdsudvalg_evaluation"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for year, verdict in zip(range(2022, 2026), VERDICTS, strict=True):
        rows = [["År", "Område", "Kriterie_id", "Vurdering", "Begrundelse", "Kilde"],
                [year, "Samlet", "samarbejdsudvalg_vurdering", verdict,
                 f"Samarbejdsudvalgets vurdering af naboskabet i {year}.", f"SU-referat {year}"]]
        delivered = date(year + 1, 1 + _deadline("samarbejdsudvalg_evaluation"), 1)
        written.append(write_csv(folder / f"samarbejdsudvalg_evaluation_{year}_{delivered:%Y%m%d}.csv", rows,
                                 encoding="utf-8"))
    return written


def write_programme(target: Path) -> list[Path]:
    """The programme's sources folder: reference/ (its catalog from the workbook, areas, calendar) and inbox/."""
    return [*_write_reference(target / "reference"), *_vandalism(target / "inbox"),
            *_indicator_tables(target / "inbox"), *_school_absence(target / "inbox"), *_kmd_opera(target / "inbox"),
            *_verdicts(target / "inbox")]


if __name__ == "__main__":  # `make sample`: python -m pipelines.sample.programmes.fjordby <target>
    import sys

    print(f"Skrev {len(write_programme(Path(sys.argv[1])))} filer under {sys.argv[1]}.")
