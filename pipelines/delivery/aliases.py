"""What a supplier writes → what the contract says: area names, column headers and closed-list values.

One mechanism for three reference files (source_formats.md 0.1 and 0.4), each `;`-separated:

- `area_aliases.csv`   `area_key;name`                     an area name → its area key;
- `column_aliases.csv` `source_system;column;alias`        a supplier's header → the contract's column;
- `value_aliases.csv`  `source_system;column;value;alias`  a supplier's spelling → the contract's value.

Spellings are compared case- and whitespace-insensitively. Nothing is ever guessed: a spelling that is neither
the contract's nor an alias is rejected, and the rejection names the closest known spellings (rapidfuzz) and
the exact line the analyst can add. The column and value files are optional (the project ships none).

While a delivery is parsed as a source system (`reading_as`), the shared readers apply that system's column
aliases and `canonical_value` its value aliases, so no parser needs to know about aliases.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process, utils

from pipelines.delivery.errors import DeliveryRejected

AREA_ALIASES_FILE = "area_aliases.csv"
COLUMN_ALIASES_FILE = "column_aliases.csv"
VALUE_ALIASES_FILE = "value_aliases.csv"
COLUMN_ALIAS_HEADER = ("source_system", "column", "alias")
VALUE_ALIAS_HEADER = ("source_system", "column", "value", "alias")
CLOSEST_LIMIT = 3
CLOSEST_CUTOFF = 50  # rapidfuzz WRatio, 0-100: below it a spelling is not worth naming


def clean_cell(value: object) -> str:
    """A cell as trimmed text; non-breaking spaces count as spaces."""
    if value is None:
        return ""
    return str(value).replace("\u00a0", " ").strip()


def fold(text: object) -> str:
    """Case- and whitespace-insensitive form for comparing labels."""
    return " ".join(clean_cell(text).casefold().split())


def closest(text: str, choices: Iterable[str], *, limit: int = CLOSEST_LIMIT) -> list[str]:
    """The known spellings nearest to `text`, best first (at most `limit`; none below the cutoff)."""
    unique = list(dict.fromkeys(c for c in choices if c))
    found = process.extract(text, unique, scorer=fuzz.WRatio, processor=utils.default_process, limit=limit,
                            score_cutoff=CLOSEST_CUTOFF)
    return [choice for choice, _score, _index in found]


def quoted(names: Iterable[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)


@dataclass(frozen=True)
class ReadingRules:
    """The aliases that apply while one delivery is read as `source_system`."""

    source_system: str
    columns: dict[str, str] = field(default_factory=dict)  # folded alias → contract column
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # folded column → folded alias → value

    def column_of(self, header_cell: str) -> str | None:
        return self.columns.get(fold(header_cell))

    def value_of(self, column: str, text: str) -> str | None:
        return self.values.get(fold(column), {}).get(fold(text))

    def column_line(self, column: str, alias: str) -> str:
        return f"{self.source_system};{column};{alias}"

    def value_line(self, column: str, value: str, alias: str) -> str:
        return f"{self.source_system};{column};{value};{alias}"


_ACTIVE: ContextVar[ReadingRules | None] = ContextVar("reading_rules", default=None)


def active_rules() -> ReadingRules | None:
    """The rules of the delivery being read, or None outside `reading_as` (then no alias applies)."""
    return _ACTIVE.get()


@contextmanager
def reading_as(source_system: str, reference_dir: Path | None) -> Iterator[ReadingRules]:
    """Read files as `source_system`: its column and value aliases from `reference_dir` apply inside."""
    rules = load_rules(source_system, reference_dir)
    token = _ACTIVE.set(rules)
    try:
        yield rules
    finally:
        _ACTIVE.reset(token)


def canonical_value(column: str, text: str) -> str:
    """The contract's spelling of a closed-list value when the analyst has aliased it, else the text itself."""
    rules = active_rules()
    value = rules.value_of(column, text) if rules is not None else None
    return value if value is not None else text


# --- the files -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AliasLine:
    number: int  # the line in the file, the header being line 1
    cells: dict[str, str]


class AliasFileProblem(Exception):
    def __init__(self, problem: str, row: int | None = None) -> None:
        self.problem, self.row = problem, row
        super().__init__(problem)


def read_alias_lines(path: Path, header: tuple[str, ...]) -> list[AliasLine]:
    """The non-blank lines of an alias file; raises AliasFileProblem (Danish) for a malformed one."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AliasFileProblem("filen er ikke UTF-8; gem den som CSV UTF-8 med semikolon") from exc
    reader = csv.reader(io.StringIO(text), delimiter=";")
    found = [h.strip() for h in next(reader, [])]
    missing = [c for c in header if c not in found]
    if missing:
        raise AliasFileProblem(f"mangler kolonne{'rne' if len(missing) > 1 else 'n'} {quoted(missing)}; fandt "
                               f"{';'.join(found) or 'ingen overskrift'}, forventet {';'.join(header)}", row=1)
    lines = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        line = AliasLine(reader.line_num, {h: (cells[i].strip() if i < len(cells) else "")
                                           for i, h in enumerate(found)})
        empty = [c for c in header if not line.cells[c]]
        if empty:
            raise AliasFileProblem(f"kolonnen '{empty[0]}' er tom", row=line.number)
        lines.append(line)
    return lines


def check_alias_file(path: Path, header: tuple[str, ...], known_systems: Iterable[str]) -> None:
    """Known source systems, and no alias that leads to two different targets; raises AliasFileProblem."""
    systems = set(known_systems)
    *key_columns, target_column, alias_column = (*header[:-2], header[-2], header[-1])
    seen: dict[tuple[str, ...], tuple[str, int]] = {}
    for line in read_alias_lines(path, header):
        system = line.cells["source_system"]
        if system not in systems:
            near = closest(system, systems)
            hint = f"; mente du {quoted(near)}?" if near else ""
            raise AliasFileProblem(f"ukendt source_system '{system}'{hint}", row=line.number)
        key = (*(fold(line.cells[c]) for c in key_columns), fold(line.cells[alias_column]))
        target = line.cells[target_column]
        if key in seen and fold(seen[key][0]) != fold(target):
            raise AliasFileProblem(f"'{line.cells[alias_column]}' peger på både '{seen[key][0]}' (række "
                                   f"{seen[key][1]}) og '{target}'", row=line.number)
        seen.setdefault(key, (target, line.number))


def load_rules(source_system: str, reference_dir: Path | None) -> ReadingRules:
    """The column and value aliases of one source system (none when the files are absent)."""
    if reference_dir is None:
        return ReadingRules(source_system)
    columns: dict[str, str] = {}
    values: dict[str, dict[str, str]] = {}
    column_file, value_file = reference_dir / COLUMN_ALIASES_FILE, reference_dir / VALUE_ALIASES_FILE
    if column_file.is_file():
        for line in read_alias_lines(column_file, COLUMN_ALIAS_HEADER):
            if line.cells["source_system"] == source_system:
                columns[fold(line.cells["alias"])] = line.cells["column"]
    if value_file.is_file():
        for line in read_alias_lines(value_file, VALUE_ALIAS_HEADER):
            if line.cells["source_system"] == source_system:
                values.setdefault(fold(line.cells["column"]), {})[fold(line.cells["alias"])] = line.cells["value"]
    return ReadingRules(source_system, columns, values)


# --- Danish hints for rejections ---------------------------------------------------------------------

def missing_column_hint(column: str, header: Iterable[str], *, shown: Iterable[str] | None = None) -> str:
    """`; nærmeste overskrifter i filen: …; tilføj linjen … i reference/column_aliases.csv` (or '')."""
    candidates = list(shown if shown is not None else header)
    near = closest(column, candidates)
    rules = active_rules()
    if not near:
        return ""
    hint = f"; nærmeste overskrifter i filen: {quoted(near)}"
    if rules is not None:
        hint += (f"; hedder kolonnen {near[0]} hos leverandøren, så tilføj linjen "
                 f"'{rules.column_line(column, near[0])}' i reference/{COLUMN_ALIASES_FILE} "
                 f"(overskrift: {';'.join(COLUMN_ALIAS_HEADER)})")
    return hint


def unknown_value_hint(column: str, text: str | None, known: Iterable[str], *, near_to: str | None = None) -> str:
    """`; nærmeste kendte: …; … tilføj linjen … i reference/value_aliases.csv`.

    `text` None: the value may not be shown (a person-level file): the line then holds a placeholder, and
    `near_to` is the hidden value the closest known ones are looked up for.
    """
    known = list(known)
    near_to = text if near_to is None else near_to
    near = closest(near_to, known) if near_to else []
    hint = f"; nærmeste kendte: {quoted(near)}" if near else ""
    rules = active_rules()
    if rules is not None:
        value = near[0] if near else known[0] if known else "<værdi>"
        alias = text if text is not None else "<leverandørens stavemåde>"
        hint += (f"; er det samme værdi, så tilføj linjen '{rules.value_line(column, value, alias)}' i "
                 f"reference/{VALUE_ALIASES_FILE} (overskrift: {';'.join(VALUE_ALIAS_HEADER)})")
    return hint


# --- area names (source_formats.md 0.1) ----------------------------------------------------------------

class AreaResolver:
    """Maps the area names suppliers write to contract area keys; unknown names are rejected, never guessed."""

    def __init__(self, aliases: dict[str, str]) -> None:
        self._by_name = {self.normalise(name): key for name, key in aliases.items()}
        self._names = sorted(aliases)

    @property
    def area_keys(self) -> list[str]:
        """Every key a name may map to: the programme's areas, `combined` and its comparators."""
        return sorted(set(self._by_name.values()))

    @staticmethod
    def normalise(name: str) -> str:
        text = fold(name)
        text = re.sub(r"\s+og\s+", "/", text)
        return re.sub(r"\s*/\s*", "/", text)

    @classmethod
    def from_reference(cls, reference_dir: Path) -> AreaResolver:
        text = (reference_dir / AREA_ALIASES_FILE).read_text(encoding="utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
        return cls({r["name"]: r["area_key"] for r in rows})

    def lookup(self, name: str) -> str | None:
        return self._by_name.get(self.normalise(name))

    def resolve(self, name: str, *, file_name: str, row: int, column: str) -> str:
        key = self.lookup(name)
        if key is None:
            raise DeliveryRejected(
                file_name,
                f"ukendt område '{clean_cell(name)}'",
                "et af de kendte navne: " + "; ".join(self._names),
                row=row,
                column=column,
                gap_type="unmapped_area",
                area_label=clean_cell(name),
            )
        return key
