"""The programme's areas and their Danish names, from the programme's catalog (`criteria.yaml` → `areas`).

No area is named in code: the keys, their order and their names come from the catalog of the programme
being built, or from the published `areas` table (which the build writes from that catalog). Two forms
of a name are derived from the catalog's `name_da`:

- in a text (status reasons, `kpi criteria`): the name without a closing remark in brackets
  ("Nordbyen (afd. 1 og 3)" → "Nordbyen");
- short (the report's narrow columns, charts, the gaps list): the text name up to its first "/"
  ("Vestparken/Vestervænget" → "Vestparken").

The aggregate and comparator keys (`combined`, `combined_mean`, `sub_average`, ...) are the same in every
programme; their words are in the vocabulary seed (pipelines/vocabulary.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.settings import DEFAULT_SOURCES, REFERENCE_DIR_NAME
from pipelines.vocabulary import words
from pipelines.yaml_text import load_yaml

AGGREGATE_KEYS = ("combined", "combined_mean")
PROJECT_CATALOG = DEFAULT_SOURCES / REFERENCE_DIR_NAME / "criteria.yaml"
_REMARK = re.compile(r"\s*\([^()]*\)\s*$")


def text_name(name_da: str) -> str:
    """An area's name in a sentence: the catalog's name without a closing remark in brackets."""
    return _REMARK.sub("", name_da).strip()


def short_name(name_da: str) -> str:
    """An area's name in a narrow column: the text name up to its first '/'."""
    return text_name(name_da).split("/")[0].strip()


def count_da(count: int) -> str:
    """A small count in Danish words ("fire"), digits beyond the vocabulary's words."""
    return words("count").get(str(count), str(count))


@dataclass(frozen=True)
class ProgrammeAreas:
    """The programme's real areas (catalog order) with the catalog's `name_da`."""

    catalog_names: Mapping[str, str]

    @classmethod
    def none(cls) -> ProgrammeAreas:
        """No programme areas (the default of data built without them): only the aggregates have an order and a name."""
        return cls({})

    @classmethod
    def from_catalog(cls, areas: Mapping[str, Mapping]) -> ProgrammeAreas:
        """From the catalog's `areas:` mapping (its `combined` entry is the aggregate, not an area)."""
        return cls({key: area["name_da"] for key, area in areas.items() if key not in AGGREGATE_KEYS})

    @classmethod
    def from_catalog_file(cls, catalog_file: Path) -> ProgrammeAreas:
        return cls.from_catalog(load_yaml(catalog_file.read_text(encoding="utf-8"))["areas"])

    @classmethod
    def from_published(cls, con: duckdb.DuckDBPyConnection, catalog_file: Path = PROJECT_CATALOG) -> ProgrammeAreas:
        """From the published `areas` table, in the order the build wrote it (the catalog's); a file without
        the table (older or partial) falls back to the catalog."""
        has_table = con.execute("select count(*) from information_schema.tables where table_schema = 'main'"
                                " and table_name = 'areas'").fetchone()[0]
        if not has_table:
            return cls.from_catalog_file(catalog_file)
        return cls(dict(con.execute("select area_key, name_da from main.areas order by rowid").fetchall()))

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.catalog_names)

    @property
    def order(self) -> tuple[str, ...]:
        """The areas, then the aggregates: the order of columns and rows in every output."""
        return (*self.keys, *AGGREGATE_KEYS)

    def sort_key(self, area_key: str) -> tuple[int, str]:
        order = self.order
        return (order.index(area_key) if area_key in order else len(order), area_key)

    def in_text(self, area_key: str) -> str:
        """The name in a sentence; aggregates and comparators from the vocabulary; else the key."""
        if area_key in self.catalog_names:
            return text_name(self.catalog_names[area_key])
        word = words("area_in_text").get(area_key, area_key)
        return word.replace("{count}", count_da(len(self.catalog_names)))

    def heading(self, area_key: str) -> str:
        """The name over a column or a block (`kpi criteria`): like in_text, aggregates as headings."""
        if area_key in self.catalog_names:
            return text_name(self.catalog_names[area_key])
        return words("area_heading").get(area_key, area_key)

    def short(self, area_key: str) -> str:
        """The name in a narrow column (report tables, charts, the gaps list); else the key."""
        if area_key in self.catalog_names:
            return short_name(self.catalog_names[area_key])
        return words("area_short").get(area_key, area_key)

    def names_in_text(self) -> list[dict[str, str]]:
        """One row per area, aggregate and comparator key: what the SQL's `area_da` says."""
        keys = dict.fromkeys([*self.keys, *AGGREGATE_KEYS, *words("area_in_text")])
        return [{"area_key": key, "name_da": self.in_text(key)} for key in keys]
