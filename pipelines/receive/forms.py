"""The forms a delivery can take, one per source system and file type, read from what the parsers declare.

No second description of a source lives here: header, sheets, closed value lists and period columns are the
parsers' own attributes (pipelines/parse). The catalog adds the criterion ids of each assessment source.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipelines.delivery.filenames import accepted_extensions
from pipelines.delivery.readers import fold
from pipelines.parse import registry
from pipelines.yaml_text import load_yaml


@dataclass(frozen=True)
class Form:
    """One file shape: a source system (and file type) with the header and sheets its parser expects."""

    source_system: str
    file_type: str | None
    extensions: tuple[str, ...]
    header: tuple[str, ...]
    sheets: tuple[str, ...]
    key_values: dict[str, frozenset[str]]  # column → its closed list, folded
    period_columns: tuple[str, ...]
    years_as_columns: bool
    # Columns whose other values are no contradiction: an assessment file may judge criteria of other sources.
    open_columns: frozenset[str] = frozenset()

    @property
    def stem(self) -> str:
        """The contract name's first part: `school_absence_dropout` for a file type."""
        return f"{self.source_system}_{self.file_type}" if self.file_type else self.source_system

    @property
    def label(self) -> str:
        return self.stem


@cache
def _catalog_ids_by_source(catalog_file: Path) -> dict[str, frozenset[str]]:
    """Criterion ids per source system (main or secondary) in the catalog."""
    by_source: dict[str, set[str]] = {}
    for criterion in load_yaml(catalog_file.read_text(encoding="utf-8"))["criteria"]:
        for system in [criterion.get("source_system"), *(criterion.get("secondary_source_systems") or [])]:
            if system:
                by_source.setdefault(system, set()).add(fold(criterion["id"]))
    return {system: frozenset(ids) for system, ids in by_source.items()}


def _form(parser, source_system: str, file_type: str | None, extensions: tuple[str, ...],
          catalog_file: Path) -> Form:
    keys = {column: frozenset(fold(v) for v in values) for column, values in parser.key_values.items()}
    catalog_column = parser.catalog_key_column
    if catalog_column:
        keys[catalog_column] = _catalog_ids_by_source(catalog_file).get(source_system, frozenset())
    return Form(source_system, file_type, extensions, tuple(parser.headers[None]), tuple(parser.sheets), keys,
                tuple(parser.period_columns), bool(parser.years_as_columns),
                frozenset({catalog_column}) if catalog_column else frozenset())


def all_forms(catalog_file: Path) -> list[Form]:
    """Every form of every registered parser; a parser with file types gives one form per type."""
    forms = []
    for system, parser in sorted(registry().items()):
        forms += [_form(sub, system, file_type, accepted_extensions(tuple(parser.extensions)), catalog_file)
                  for file_type, sub in parser.file_type_parsers.items()]
    return forms
