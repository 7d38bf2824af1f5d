"""Reference files, resolved one by one: the analyst's `<sources>/reference/<file>` overrides the project's.

Each file is looked up on its own: `DIR/reference/<file>` when the analyst has it, else the project's
`sources/reference/<file>`. A run snapshots the resolved files into one folder of its own (parsers read
`ParseContext.reference_dir / <file>` as before) and checks them before anything is loaded: a required
file that exists nowhere, or a malformed one (missing columns, an unknown `area_key`, address ranges
that overlap between two areas, ...), stops the run with a Danish message naming file, row and problem.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipelines.delivery.aliases import (
    COLUMN_ALIAS_HEADER,
    COLUMN_ALIASES_FILE,
    VALUE_ALIAS_HEADER,
    VALUE_ALIASES_FILE,
    AliasFileProblem,
    AreaResolver,
    check_alias_file,
)
from pipelines.settings import DEFAULT_SOURCES, REFERENCE_DIR_NAME
from pipelines.yaml_text import load_yaml

PROJECT_REFERENCE_DIR = DEFAULT_SOURCES / REFERENCE_DIR_NAME

CRITERIA_FILE = "criteria.yaml"
READINGS_FILE = "readings.yaml"
ALIASES_FILE = "area_aliases.csv"
AFDELINGER_FILE = "afdelinger.csv"
ADDRESSES_FILE = "area_addresses.csv"
CALENDAR_FILE = "delivery_calendar.csv"
REQUIRED_FILES = (CRITERIA_FILE, READINGS_FILE, ALIASES_FILE, AFDELINGER_FILE, ADDRESSES_FILE, CALENDAR_FILE)
NOT_REFERENCE = {"README.md"}  # documentation beside the files, never read by a run

# Keys a supplier's area name may map to besides the programme's areas (criteria.yaml
# meta.field_conventions.baseline_area_keys; source_formats.md 0.1).
COMPARATOR_AREA_KEYS = frozenset({"combined", "combined_mean", "slagelse_kommune", "sub_average", "denmark"})
SIDES = ("alle", "lige", "ulige")


class ReferenceProblem(Exception):
    """A reference file that is missing or malformed: the run stops before anything is loaded."""

    def __init__(self, file: Path | str, problem: str, *, row: int | None = None) -> None:
        self.file = Path(file)
        self.row = row
        self.problem = problem
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = f"{self.file}, række {self.row}" if self.row is not None else str(self.file)
        return f"Referencefilen {where}: {self.problem}"


@dataclass(frozen=True)
class ResolvedReference:
    """Where each reference file of a run comes from: file name → path, and whether it is the analyst's."""

    files: dict[str, Path]
    own: frozenset[str]

    def origin_lines_da(self) -> list[str]:
        """One Danish line per origin, e.g. `Referencefiler fra DIR/reference: afdelinger.csv, ...`."""
        lines = []
        own = sorted(self.own)
        project = sorted(set(self.files) - self.own)
        if own:
            lines.append(f"Referencefiler fra {self.files[own[0]].parent}: {', '.join(own)}")
        if project:
            lines.append(f"Referencefiler fra projektet ({self.files[project[0]].parent}): {', '.join(project)}")
        return lines

    def snapshot(self, target: Path) -> Path:
        """Copy the resolved files into `target` (emptied first), the folder the parsers read this run."""
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        for name, path in self.files.items():
            shutil.copy2(path, target / name)
        return target


def _reference_files(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        return {}
    return {p.name: p for p in sorted(folder.iterdir())
            if p.is_file() and p.name not in NOT_REFERENCE and not p.name.startswith(".")}


def resolve_reference(sources_dir: Path, project_dir: Path = PROJECT_REFERENCE_DIR) -> ResolvedReference:
    """Each file from `sources_dir/reference/` if present there, else from the project; check them all.

    Raises ReferenceProblem for the first required file that exists nowhere or is malformed.
    """
    own_files = _reference_files(sources_dir / REFERENCE_DIR_NAME)
    if (sources_dir / REFERENCE_DIR_NAME).resolve() == project_dir.resolve():
        own_files = {}
    files = {**_reference_files(project_dir), **own_files}
    for name in REQUIRED_FILES:
        if name not in files:
            raise ReferenceProblem(
                sources_dir / REFERENCE_DIR_NAME / name,
                f"filen findes hverken her eller i projektets {project_dir}; læg den i en af de to mapper")
    resolved = ResolvedReference(files, frozenset(own_files))
    check_reference(resolved)
    return resolved


# --- checks ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Row:
    number: int  # the line in the file, the header being line 1
    cells: dict[str, str]


def _csv_rows(path: Path, required: tuple[str, ...]) -> list[_Row]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReferenceProblem(path, "filen er ikke UTF-8; gem den som CSV UTF-8 med semikolon") from exc
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise ReferenceProblem(path, "filen er tom; forventet en overskriftsrække: " + ";".join(required), row=1)
    reader = csv.reader(io.StringIO(text), delimiter=";")
    header = [h.strip() for h in next(reader)]
    missing = [c for c in required if c not in header]
    if missing:
        raise ReferenceProblem(path, f"mangler kolonne{'rne' if len(missing) > 1 else 'n'} "
                               + ", ".join(f"'{c}'" for c in missing)
                               + f"; fandt {';'.join(header)}, forventet {';'.join(required)}", row=1)
    rows = []
    for cells in reader:
        number = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            raise ReferenceProblem(path, f"{len(cells)} felter, men overskriften har {len(header)}", row=number)
        row = _Row(number, {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)})
        for column in required:
            if not row.cells[column]:
                raise ReferenceProblem(path, f"kolonnen '{column}' er tom", row=number)
        rows.append(row)
    return rows


def _integer(path: Path, row: _Row, column: str) -> int:
    text = row.cells[column]
    if not text.isdigit():
        raise ReferenceProblem(path, f"kolonnen '{column}' har '{text}'; forventet et helt tal", row=row.number)
    return int(text)


def _check_area_key(path: Path, row: _Row, known: frozenset[str]) -> str:
    key = row.cells["area_key"]
    if key not in known:
        raise ReferenceProblem(path, f"ukendt area_key '{key}'; forventet en af {', '.join(sorted(known))}",
                               row=row.number)
    return key


def _yaml(path: Path, top_key: str) -> dict:
    try:
        document = load_yaml(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise ReferenceProblem(path, "filen er ikke gyldig YAML (UTF-8)",
                               row=line + 1 if line is not None else None) from exc
    if not isinstance(document, dict) or top_key not in document:
        raise ReferenceProblem(path, f"nøglen '{top_key}:' mangler øverst i filen")
    return document


def _programme_areas(files: dict[str, Path]) -> frozenset[str]:
    path = files[CRITERIA_FILE]
    document = _yaml(path, "criteria")
    areas = document.get("areas")
    if not isinstance(areas, dict) or not areas:
        raise ReferenceProblem(path, "nøglen 'areas:' med programmets områder mangler")
    if not isinstance(document["criteria"], list):
        raise ReferenceProblem(path, "'criteria:' skal være en liste af kriterier")
    return frozenset(areas)


def check_aliases(path: Path, known: frozenset[str]) -> None:
    seen: dict[str, tuple[str, int]] = {}
    for row in _csv_rows(path, ("area_key", "name")):
        key = _check_area_key(path, row, known)
        normalised = AreaResolver.normalise(row.cells["name"])
        if normalised in seen and seen[normalised][0] != key:
            other_key, other_row = seen[normalised]
            raise ReferenceProblem(path, f"navnet '{row.cells['name']}' peger på både '{other_key}' "
                                   f"(række {other_row}) og '{key}'", row=row.number)
        seen.setdefault(normalised, (key, row.number))


def check_afdelinger(path: Path, areas: frozenset[str]) -> None:
    seen: dict[tuple[str, str], tuple[str, int]] = {}
    for row in _csv_rows(path, ("boligorganisation", "afdeling", "afdelingsnavn", "area_key", "boliger")):
        key = _check_area_key(path, row, areas)
        _integer(path, row, "boliger")
        pair = (row.cells["boligorganisation"].casefold(), row.cells["afdeling"].casefold())
        if pair in seen and seen[pair][0] != key:
            raise ReferenceProblem(path, f"{row.cells['boligorganisation']} afd. {row.cells['afdeling']} står "
                                   f"også i række {seen[pair][1]} med området '{seen[pair][0]}'", row=row.number)
        seen.setdefault(pair, (key, row.number))


@dataclass(frozen=True)
class _Range:
    row: int
    street: str
    postcode: str
    first: int
    last: int
    side: str
    area_key: str

    def numbers(self) -> Iterator[int]:
        step = 1 if self.side == "alle" else 2
        start = self.first
        if self.side != "alle" and (start % 2 == 0) != (self.side == "lige"):
            start += 1
        return iter(range(start, self.last + 1, step))

    def shared_number(self, other: _Range) -> int | None:
        """The first house number both ranges cover, or None."""
        if self.street.casefold() != other.street.casefold() or self.postcode != other.postcode:
            return None
        low, high = max(self.first, other.first), min(self.last, other.last)
        if low > high:
            return None
        clipped = [_Range(r.row, r.street, r.postcode, low, high, r.side, r.area_key) for r in (self, other)]
        theirs = set(clipped[1].numbers())
        return next((n for n in clipped[0].numbers() if n in theirs), None)


def check_addresses(path: Path, areas: frozenset[str]) -> None:
    ranges: list[_Range] = []
    for row in _csv_rows(path, ("vejnavn", "husnr_fra", "husnr_til", "side", "postnr", "area_key")):
        key = _check_area_key(path, row, areas)
        first, last = _integer(path, row, "husnr_fra"), _integer(path, row, "husnr_til")
        if first > last:
            raise ReferenceProblem(path, f"husnr_fra {first} er større end husnr_til {last}", row=row.number)
        side = row.cells["side"].casefold()
        if side not in SIDES:
            raise ReferenceProblem(path, f"kolonnen 'side' har '{row.cells['side']}'; forventet alle, lige eller "
                                   "ulige", row=row.number)
        ranges.append(_Range(row.number, " ".join(row.cells["vejnavn"].split()), row.cells["postnr"], first, last,
                             side, key))
    for index, this in enumerate(ranges):
        for other in ranges[:index]:
            if other.area_key == this.area_key:
                continue
            number = this.shared_number(other)
            if number is not None:
                raise ReferenceProblem(
                    path, f"{this.street} {this.first}-{this.last} ({this.side}, {this.postcode}) i området "
                    f"'{this.area_key}' overlapper række {other.row} ({other.first}-{other.last}, {other.side}) i "
                    f"området '{other.area_key}', fx nr. {number}; en adresse kan kun høre til ét område",
                    row=this.row)


def check_readings(path: Path) -> None:
    _yaml(path, "readings")


def check_reference(resolved: ResolvedReference) -> None:
    """Every required reference file, checked; raises ReferenceProblem naming file, row and problem."""
    files = resolved.files
    areas = _programme_areas(files)
    check_readings(files[READINGS_FILE])
    check_aliases(files[ALIASES_FILE], areas | COMPARATOR_AREA_KEYS)
    check_afdelinger(files[AFDELINGER_FILE], areas)
    check_addresses(files[ADDRESSES_FILE], areas)
    check_delivery_calendar(files[CALENDAR_FILE])
    check_supplier_aliases(files)


def check_supplier_aliases(files: dict[str, Path]) -> None:
    """The optional column and value alias files (source_formats.md 0.4), when the analyst has them.

    The source systems they may name are the delivery calendar's (it has one row per parser).
    """
    from pipelines.catalog.delivery_calendar import read_delivery_calendar

    for name, header in ((COLUMN_ALIASES_FILE, COLUMN_ALIAS_HEADER), (VALUE_ALIASES_FILE, VALUE_ALIAS_HEADER)):
        if name in files:
            systems = read_delivery_calendar(files[CALENDAR_FILE])["source_system"].to_list()
            try:
                check_alias_file(files[name], header, systems)
            except AliasFileProblem as exc:
                raise ReferenceProblem(files[name], exc.problem, row=exc.row) from exc


def check_delivery_calendar(path: Path) -> None:
    """The delivery calendar's columns and whole-number deadlines (pipelines/catalog/delivery_calendar.py)."""
    from pipelines.catalog.delivery_calendar import CalendarError, calendar_rows

    try:
        calendar_rows(path)
    except CalendarError as exc:
        raise ReferenceProblem(path, str(exc).split(", ", 1)[-1]) from exc
