"""Many synthetic programmes of varied shape (`kpi sample --programmes N`): the fleet benchmark's input.

Each programme gets 2-8 areas of its own (keys, Danish names, a town and a postcode), its own reference folder
(catalog, area aliases, addresses, afdelinger, the delivery calendar of its sources) and deliveries from four
sources that can be re-targeted to other areas (the catalog made as a programme makes it: a workbook, imported):
- aggregate: police_haervaerk (per area), fraflytning_admin (per afdeling, read through afdelinger.csv),
  web_analytics (combined only);
- person level: school_absence's quarterly dropout lists, the Slagelse sample population's rows with their
  addresses moved onto the programme's streets (CPR numbers as the sample has them).
The other sample generators are Slagelse-specific (their areas, streets, schools and figures are the documents'
own) and are not used. The catalog is Slagelse's, reduced to a random subset of the criteria of these sources
and rewritten for the programme's areas, as `eksempelby.py` does. Its plan period varies: Slagelse's criteria of
these sources are all of 2017-2021, so a programme of 2021-2025 gets them four years later (every year and date
of a criterion and of its deliveries moved; the quotes from Slagelse's documents kept as they are). Everything
depends on the seed and the programme's number only.
"""

from __future__ import annotations

import random
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl
import yaml

from pipelines.sample._csv import write_csv
from pipelines.sample._person_files import write_frame
from pipelines.sample.fraflytning_admin import HEADER as MOVE_OUT_HEADER
from pipelines.sample.population import AREA_STREETS
from pipelines.settings import DEFAULT_SOURCES

PROJECT_REFERENCE = DEFAULT_SOURCES / "reference"
SOURCES = ("police_haervaerk", "fraflytning_admin", "web_analytics", "school_absence")
ALWAYS = "haervaerk_yearly_minus15_2017_2021"  # every programme has at least this criterion (per area)
AREA_NAMES = ("Nørreparken", "Søndergården", "Vestergården", "Østervang", "Skovparken", "Engparken", "Højvangen",
              "Bakkehuset", "Lindevej", "Æblehaven", "Fuglebakken", "Kildeparken", "Stjernehusene", "Solvænget",
              "Åparken", "Møllehaven", "Tranegården", "Birkebo", "Granhøj", "Kærbyen")
TOWNS = ("Ringsted", "Holbæk", "Næstved", "Kalundborg", "Vordingborg", "Køge", "Nykøbing", "Haslev", "Sorø",
         "Faxe", "Odsherred", "Stevns")
ORGANISATIONS = ("Boligselskabet", "Almenbo", "Fællesbo", "Lejerbo")
HAERVAERK_YEARS = range(2016, 2022)
MOVE_OUT_YEARS = range(2015, 2022)
WEB_YEARS = range(2017, 2022)
DROPOUT_QUARTERS = [(2017, 4)] + [(year, quarter) for year in range(2018, 2022) for quarter in range(1, 5)]
# Every street of the Slagelse sample areas: a programme's area j takes streets j, j + n, j + 2n, ...
SAMPLE_STREETS = [(street, postcode) for streets in AREA_STREETS.values() for street, *_, postcode in streets]
STREET_SUFFIXES = ("", "vej", "vænge", "allé", "stræde")  # a programme area takes up to five sample streets
# A programme's plan period: how many years after Slagelse's 2017-2021 its criteria and deliveries lie.
YEARS_LATER = {"2017-10-01/2021-09-30": 0, "2021-10-01/2025-09-30": 4}
UNSHIFTED_FIELDS = frozenset({"seed_ref", "quote", "ambiguities"})  # Slagelse's documents, cited as they stand
YEAR = re.compile(r"(?<!\d)(20[0-4]\d)(?:/(\d\d))?(?!\d)")  # 2017, 2019Q4, 2017-10-01, the school year 2016/17


@dataclass(frozen=True)
class Area:
    key: str
    name_da: str
    # (programme street, sample street, sample postcode, first, last, side)
    streets: tuple[tuple[str, str, str, int, int, str], ...]
    afdeling: str
    dwellings: int


@dataclass(frozen=True)
class ProgrammeShape:
    plan_id: str
    name: str
    town: str
    postcode: str
    organisation: str
    areas: tuple[Area, ...]
    criteria: tuple[str, ...]  # catalog ids
    sources: tuple[str, ...]
    years_later: int = 0  # after Slagelse's plan period (YEARS_LATER)

    def year(self, slagelse_year: int) -> int:
        """The programme's year for a year of the Slagelse sample."""
        return slagelse_year + self.years_later


def _key(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa"))
    return re.sub(r"[^a-z0-9]+", "_", folded.encode("ascii", "ignore").decode()).strip("_")


@cache
def _slagelse_catalog() -> dict:
    return yaml.safe_load((PROJECT_REFERENCE / "criteria.yaml").read_text(encoding="utf-8"))


@cache
def _slagelse_readings() -> dict:
    return yaml.safe_load((PROJECT_REFERENCE / "readings.yaml").read_text(encoding="utf-8"))


def _candidate_criteria() -> list[dict]:
    return [c for c in _slagelse_catalog()["criteria"] if c["source_system"] in SOURCES]


def _street_ranges() -> dict[tuple[str, str], tuple[int, int, str]]:
    """(street, postcode) of the sample's areas → (first, last, side) as area_addresses.csv states them."""
    ranges = {}
    for street, first, last, step, postcode in (s for streets in AREA_STREETS.values() for s in streets):
        side = "alle" if step == 1 else ("ulige" if first % 2 else "lige")
        ranges[(street, postcode)] = (first, last, side)
    return ranges


def shape(seed: int, number: int) -> ProgrammeShape:
    """Programme `number` (1-based) of the fleet for `seed`."""
    rng = random.Random(f"{seed}:{number}")
    town = rng.choice(TOWNS)
    names = rng.sample(AREA_NAMES, rng.randint(2, 8))
    ranges = _street_ranges()
    areas = []
    for index, name in enumerate(names):
        streets = tuple((f"{name}{STREET_SUFFIXES[k]}".replace("vejvej", "vej"), street, postcode,
                         *ranges[(street, postcode)])
                        for k, (street, postcode) in enumerate(SAMPLE_STREETS[index::len(names)]))
        areas.append(Area(_key(name), name, streets, str(index + 1), rng.randrange(150, 900, 10)))
    candidates = _candidate_criteria()
    chosen = {c["id"] for c in candidates if c["canonical_id"] == ALWAYS}
    chosen |= {c["id"] for c in rng.sample(candidates, rng.randint(1, len(candidates)))}
    chosen |= {c["target_rule"]["same_as"] for c in candidates if c["id"] in chosen and "same_as" in c["target_rule"]}
    criteria = tuple(c["id"] for c in candidates if c["id"] in chosen)
    sources = tuple(sorted({c["source_system"] for c in candidates if c["id"] in chosen}))
    plan_id = f"program_{number:03d}"
    # its own generator, so that the shapes drawn above stay those of earlier versions
    years_later = random.Random(f"{seed}:{number}:plan_period").choice(sorted(YEARS_LATER.values()))
    return ProgrammeShape(plan_id, f"Helhedsplan {town} {number}", town, str(4000 + 37 * number % 900),
                          rng.choice(ORGANISATIONS) + f" {town}", tuple(areas), criteria, sources, years_later)


def later(value: object, years: int, field: str = "") -> object:
    """A catalog or readings value `years` later: years in strings (ids, texts, dates, periods, keys), integer years
    (fields named year, *_year or *_period, and integer keys such as `implied_path`'s); Slagelse's quotes and
    references unchanged."""
    if years == 0 or field in UNSHIFTED_FIELDS:
        return value
    if isinstance(value, dict):
        return {later(key, years, "year"): later(item, years, str(key)) for key, item in value.items()}
    if isinstance(value, list):
        return [later(item, years, field) for item in value]
    if isinstance(value, str):
        return YEAR.sub(lambda found: _year_later(found, years), value)
    if isinstance(value, int) and not isinstance(value, bool) and (
            field == "year" or field.endswith(("_year", "_period"))):
        return value + years  # not `within_years`, a duration
    return value


def _year_later(found: re.Match[str], years: int) -> str:
    year = int(found.group(1)) + years
    return f"{year}/{(year + 1) % 100:02d}" if found.group(2) else str(year)


def catalog(programme: ProgrammeShape) -> dict:
    """The Slagelse catalog reduced to the programme's criteria, with its areas, in its plan period (written to
    files through the catalog workbook by `_write_catalog`)."""
    source = _slagelse_catalog()
    keys = [area.key for area in programme.areas]
    criteria = []
    for criterion in source["criteria"]:
        if criterion["id"] not in programme.criteria:
            continue
        criterion = dict(criterion)
        if criterion.get("areas") != ["combined"]:
            criterion["areas"] = keys
        criterion["baseline"] = [b for b in criterion.get("baseline") or []
                                 if b.get("area") in ("all_areas", "all_areas_and_combined", "combined")]
        criterion["ambiguities"] = []  # the notes are about Slagelse's areas, not this programme's
        criterion["related_ids"] = [r for r in criterion.get("related_ids") or [] if r in programme.criteria]
        criteria.append(later(criterion, programme.years_later))
    periods = {c["plan_period"] for c in criteria}
    areas = {area.key: {"name_da": area.name_da, "town": programme.town, "on_sub_list_at_start": False,
                        "aliases": [area.name_da]} for area in programme.areas}
    meta = {"version": source["meta"]["version"],
            "programme": f"{programme.plan_id}: {programme.name} (syntetisk, afledt af Slagelse-kataloget)"}
    return {"meta": meta,
            "areas": {**areas, "combined": source["areas"]["combined"]},
            "plan_periods": {k: v for k, v in source["plan_periods"].items() if v in periods},
            "source_systems": {k: v for k, v in source["source_systems"].items() if k in programme.sources},
            "criteria": criteria}


def readings(programme: ProgrammeShape) -> dict:
    """Slagelse's readings of the programme's criteria (keyed by canonical id), as many years later as they are."""
    source = _slagelse_readings()
    canonical = {c["canonical_id"] for c in _candidate_criteria() if c["id"] in programme.criteria}
    return {"version": source["version"],
            "readings": later({key: reading for key, reading in source["readings"].items() if key in canonical},
                              programme.years_later)}


def _write_catalog(programme: ProgrammeShape, reference: Path) -> list[Path]:
    """criteria.yaml and readings.yaml as a programme's staff make them: the catalog kept as a workbook (what
    `kpi catalog export` writes), imported as `kpi catalog import` does, after the same check."""
    from pipelines.catalog_workbook.files import load_checked, write_catalog_files
    from pipelines.catalog_workbook.problems import errors
    from pipelines.catalog_workbook.workbooks import write_workbook

    with tempfile.TemporaryDirectory(prefix="kpi-fleet-catalog-") as folder:
        workbook = write_workbook(catalog(programme), readings(programme), Path(folder) / "katalog.xlsx")
        checked = load_checked(workbook)
        if not checked.ok:
            raise ValueError(f"{programme.plan_id}: the generated catalog does not pass the check: "
                             + "; ".join(f"{p.location}: {p.message_da}" for p in errors(checked.problems)))
        return write_catalog_files(checked, reference, workbook)


def _write_reference(programme: ProgrammeShape, reference: Path) -> list[Path]:
    reference.mkdir(parents=True, exist_ok=True)
    written = _write_catalog(programme, reference)
    aliases = [["area_key", "name"], *[[area.key, area.name_da] for area in programme.areas],
               ["combined", "Samlet"]]
    addresses = [["vejnavn", "husnr_fra", "husnr_til", "side", "postnr", "by", "area_key", "boligorganisation",
                  "afdeling"]]
    addresses += [[street, first, last, side, programme.postcode, programme.town, area.key, programme.organisation,
                   area.afdeling] for area in programme.areas for street, _, _, first, last, side in area.streets]
    afdelinger = [["boligorganisation", "afdeling", "afdelingsnavn", "area_key", "boliger"],
                  *[[programme.organisation, area.afdeling, area.name_da, area.key, area.dwellings]
                    for area in programme.areas]]
    calendar = (PROJECT_REFERENCE / "delivery_calendar.csv").read_text(encoding="utf-8").splitlines()
    calendar = [calendar[0], *[line for line in calendar[1:] if line.split(";")[0] in programme.sources]]
    (reference / "delivery_calendar.csv").write_text("\n".join(calendar) + "\n", encoding="utf-8")
    return [*written, write_csv(reference / "area_aliases.csv", aliases, encoding="utf-8"),
            write_csv(reference / "area_addresses.csv", addresses, encoding="utf-8"),
            write_csv(reference / "afdelinger.csv", afdelinger, encoding="utf-8"),
            reference / "delivery_calendar.csv"]


def _falling(rng: random.Random, start: int, years: int, fall: float) -> list[int]:
    values = [start]
    for _ in range(years - 1):
        values.append(max(0, round(values[-1] * (1 - fall + rng.uniform(-0.08, 0.08)))))
    return values


def _haervaerk(programme: ProgrammeShape, rng: random.Random, inbox: Path) -> list[Path]:
    counts = {area.key: _falling(rng, rng.randint(12, 60), len(HAERVAERK_YEARS), 0.12) for area in programme.areas}
    return [haervaerk_delivery(programme, inbox, programme.year(year),
                               {area.key: counts[area.key][index] for area in programme.areas})
            for index, year in enumerate(HAERVAERK_YEARS)]


def haervaerk_delivery(programme: ProgrammeShape, inbox: Path, year: int, counts: dict[str, int],
                       delivered: str | None = None) -> Path:
    """One year's police figures of the programme's areas (aggregate), named as the police name them."""
    folder = inbox / "police_haervaerk"
    folder.mkdir(parents=True, exist_ok=True)
    return write_csv(folder / f"police_haervaerk_{year}_{delivered or f'{year + 1}0301'}.csv",
                     [["År", "Område", "Anmeldelser af hærværk"],
                      *[[year, area.name_da, counts[area.key]] for area in programme.areas]], encoding="cp1252")


def _move_outs(programme: ProgrammeShape, rng: random.Random, inbox: Path) -> list[Path]:
    folder = inbox / "fraflytning_admin"
    folder.mkdir(parents=True, exist_ok=True)
    series = {area.key: _falling(rng, round(area.dwellings * rng.uniform(0.12, 0.22)), len(MOVE_OUT_YEARS), 0.08)
              for area in programme.areas}
    written = []
    for index, year in enumerate(programme.year(year) for year in MOVE_OUT_YEARS):
        rows: list[list[object]] = [[f"Fraflytninger pr. afdeling {year}"], [], MOVE_OUT_HEADER]
        rows += [[programme.organisation, area.afdeling, area.name_da, year, area.dwellings,
                  series[area.key][index], round(series[area.key][index] * 0.1)] for area in programme.areas]
        written.append(write_csv(folder / f"fraflytning_admin_{year}_{year + 1}0120.csv", rows, encoding="cp1252"))
    return written


def _web(programme: ProgrammeShape, rng: random.Random, inbox: Path) -> list[Path]:
    folder = inbox / "web_analytics"
    folder.mkdir(parents=True, exist_ok=True)
    visitors = rng.randint(800, 5000)
    written = []
    for year in (programme.year(year) for year in WEB_YEARS):
        visitors = round(visitors * rng.uniform(0.95, 1.2))
        written.append(write_csv(folder / f"web_analytics_{year}_{year + 1}0115.csv",
                                 [["År", "Område", "Indikator", "Værdi", "Tæller", "Nævner", "Kilde"],
                                  [year, "Samlet", "unikke_besoegende", visitors, "", "", "Webstatistik"]],
                                 encoding="utf-8"))
    return written


@cache
def _sample_dropout_list(year: int, quarter: int) -> pl.DataFrame:
    from pipelines.sample.school_absence import dropout_list

    return dropout_list(year, quarter)


def moved_to_programme(frame: pl.DataFrame, programme: ProgrammeShape) -> pl.DataFrame:
    """Person rows of the Slagelse sample with their addresses on the programme's streets: a sample area street
    becomes the programme street it was given; every other address moves to a postcode outside the programme."""
    streets = {(sample, postcode): street for area in programme.areas for street, sample, postcode, *_ in area.streets}
    inside = pl.struct("Vejnavn", "Postnr").map_elements(
        lambda row: streets.get((row["Vejnavn"], row["Postnr"])), return_dtype=pl.String)
    outside_postcode = str(int(programme.postcode) + 1)
    return frame.with_columns(inside.alias("_street")).with_columns(
        pl.coalesce("_street", "Vejnavn").alias("Vejnavn"),
        pl.when(pl.col("_street").is_null()).then(pl.lit(outside_postcode)).otherwise(pl.lit(programme.postcode))
        .alias("Postnr")).drop("_street")


def dropout_delivery(programme: ProgrammeShape, inbox: Path, year: int, quarter: int) -> Path:
    """One quarter's dropout list of the programme (person level), named as the supplier names it."""
    folder = inbox / "school_absence"
    folder.mkdir(parents=True, exist_ok=True)
    delivered = f"{year + (quarter == 4)}{3 * quarter % 12 + 1:02d}15"
    return write_frame(folder / f"school_absence_dropout_{year}Q{quarter}_{delivered}.csv",
                       moved_to_programme(_sample_dropout_list(year, quarter), programme), encoding="utf-8")


def _write_inbox(programme: ProgrammeShape, rng: random.Random, inbox: Path) -> list[Path]:
    written: list[Path] = []
    if "police_haervaerk" in programme.sources:
        written += _haervaerk(programme, rng, inbox)
    if "fraflytning_admin" in programme.sources:
        written += _move_outs(programme, rng, inbox)
    if "web_analytics" in programme.sources:
        written += _web(programme, rng, inbox)
    if "school_absence" in programme.sources:
        written += [dropout_delivery(programme, inbox, programme.year(year), quarter)
                    for year, quarter in DROPOUT_QUARTERS]
    return written


def new_period_delivery(programme: ProgrammeShape, inbox: Path) -> Path:
    """The programme's next delivery after all it has (the fleet benchmark's new quarter): the next quarter's
    dropout list (person level) where the programme has that source, else the police's figures of the next year,
    delivered early (on the first of December of that year, so never after today's nights of 2026)."""
    last_year, last_quarter = DROPOUT_QUARTERS[-1]
    if "school_absence" in programme.sources:
        year, quarter = (last_year, last_quarter + 1) if last_quarter < 4 else (last_year + 1, 1)
        return dropout_delivery(programme, inbox, programme.year(year), quarter)
    year = programme.year(HAERVAERK_YEARS[-1] + 1)
    return haervaerk_delivery(programme, inbox, year, dict.fromkeys((a.key for a in programme.areas), 10),
                              delivered=f"{year}1201")


def write_fleet(target: Path, count: int, seed: int = 1) -> list[ProgrammeShape]:
    """`count` programmes under `target/<plan_id>/` (reference/ and inbox/), their warehouses to be in
    `target/warehouses/<plan_id>/`, and `target/programmes.toml` listing them."""
    programmes = [shape(seed, number) for number in range(1, count + 1)]
    entries = []
    for number, programme in enumerate(programmes, start=1):
        root = target / programme.plan_id
        _write_reference(programme, root / "reference")
        _write_inbox(programme, random.Random(f"{seed}:{number}:deliveries"), root / "inbox")
        entries.append(f'[[programme]]\nplan_id = "{programme.plan_id}"\nname = "{programme.name}"\n'
                       f'sources = "{programme.plan_id}"\n'
                       f'warehouse = "warehouses/{programme.plan_id}/{programme.plan_id}.duckdb"\n'
                       f'cron = "{number % 60} {1 + number // 60 % 4} * * *"\n')
    (target / "programmes.toml").write_text(
        "# Generated by `kpi sample --programmes`: synthetic programmes (pipelines/sample/programmes/fleet.py).\n\n"
        + "\n".join(entries), encoding="utf-8")
    return programmes
