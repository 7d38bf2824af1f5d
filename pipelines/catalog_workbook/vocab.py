"""The closed vocabularies of a catalog, taken from the project's own lists, never retyped here.

- source systems: the parser registry (one parser per source system), plus `none` (a goal statement);
- indicators per source: what a parser declares (`indicators`; the own registrations' come from their
  quarterly seed) plus what the project's reference catalog reads from that source
  (readings.yaml): the person-level sources (KMD Opera, school absence, Novax, ...) compute their indicators
  in dbt, so the reference readings are where those are named;
- rule kinds, levels, frequencies, granularities: `meta.field_conventions` of the reference criteria.yaml;
- units and directions: the values the reference catalog uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipelines.load.source_figures import COUNTS, MEAN_READINGS
from pipelines.reference.resolution import COMPARATOR_AREA_KEYS, CRITERIA_FILE, PROJECT_REFERENCE_DIR, READINGS_FILE
from pipelines.yaml_text import load_yaml

NO_SOURCE = "none"
NOT_CRITERION_SOURCES = frozenset({"baselines"})  # delivers baseline decisions, never a criterion's figures
COMBINE_VALUES = ("pooled", "sum", *MEAN_READINGS, "none")
PSEUDO_AREAS = ("all_areas", "all_areas_and_combined")  # plus `<area>_and_<area>` (catalog.load.baseline_area_keys)


def joined_areas(areas: list[str]) -> list[str]:
    """`<area>_and_<area>`: a baseline for two of the programme's areas together (their `combined`)."""
    return [f"{a}_and_{b}" for a in areas for b in areas if a != b]
REFERENCE_CATALOG = PROJECT_REFERENCE_DIR / CRITERIA_FILE
REFERENCE_READINGS = PROJECT_REFERENCE_DIR / READINGS_FILE
_TOKEN = re.compile(r"^[a-z_0-9]+")


def _alternatives(convention: str) -> tuple[str, ...]:
    """`a | b | null (not stated)` → (a, b): the first word of each alternative, `null` dropped."""
    words = (_TOKEN.match(part.strip()) for part in convention.split("|"))
    return tuple(m.group(0) for m in words if m and m.group(0) != "null")


@dataclass(frozen=True)
class Vocabulary:
    source_systems: tuple[str, ...]
    indicators: dict[str, tuple[str, ...]]  # source system → its indicators
    area_figures: dict[str, str]  # source system → counts | shares | index | verdicts
    rule_kinds: tuple[str, ...]
    levels: tuple[str, ...]
    frequencies: tuple[str, ...]
    granularities: tuple[str, ...]
    units: tuple[str, ...]
    directions: tuple[str, ...]
    combine: tuple[str, ...] = COMBINE_VALUES
    comparators: tuple[str, ...] = tuple(sorted(COMPARATOR_AREA_KEYS - {"combined"}))

    def sources_of(self, indicator: str) -> list[str]:
        return [s for s, codes in self.indicators.items() if indicator in codes]

    def all_indicators(self) -> tuple[str, ...]:
        return tuple(sorted({i for codes in self.indicators.values() for i in codes}))


@cache
def project_vocabulary(catalog_file: Path = REFERENCE_CATALOG, readings_file: Path = REFERENCE_READINGS) -> Vocabulary:
    from pipelines.parse import registry

    parsers = {name: p for name, p in registry().items() if name not in NOT_CRITERION_SOURCES}
    indicators = {name: set(p.indicators) for name, p in parsers.items()}
    for reading in (load_yaml(readings_file.read_text(encoding="utf-8"))["readings"] or {}).values():
        indicator = reading.get("indicator") or {}
        if indicator.get("source_system") in indicators:
            indicators[indicator["source_system"]].add(indicator["indicator"])
    document = load_yaml(catalog_file.read_text(encoding="utf-8"))
    conventions = document["meta"]["field_conventions"]
    criteria = document["criteria"]
    return Vocabulary(
        source_systems=(*sorted(parsers), NO_SOURCE),
        indicators={name: tuple(sorted(codes)) for name, codes in sorted(indicators.items())},
        area_figures={name: str(p.area_figures) for name, p in parsers.items()},
        rule_kinds=_alternatives(conventions["target_rule.kind"]),
        levels=_alternatives(conventions["level"]),
        frequencies=_alternatives(conventions["frequency"]),
        granularities=_alternatives(conventions["granularity"]),
        units=tuple(sorted({c["unit"] for c in criteria if c.get("unit")})),
        directions=tuple(sorted({c["direction"] for c in criteria if c.get("direction")})),
    )


__all__ = ["COUNTS", "NO_SOURCE", "PSEUDO_AREAS", "Vocabulary", "joined_areas", "project_vocabulary"]
