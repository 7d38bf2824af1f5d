"""Linear relations between published figures of different indicators (contract rule 8, across indicators).

Indicators built from the same persons are related: a cohort's children are the denominator of both its
visit shares, the visits counted are at least the children with a visit. A hidden cell must not be
recoverable from the related published figures, so pipelines/privacy/disclosure.py needs the relations.

They are declared where the measures are built: in the yml of the model, under
`meta: disclosure: {source_system, relations, unrelated}`:

    meta:
      disclosure:
        source_system: novax
        relations:
          - ekstra_besoeg_6_mdr_pct.denominator = kohorte_boern
          - ekstra_besoeg_antal >= ekstra_besoeg_6_mdr_pct.numerator + ekstra_besoeg_18_mdr_pct.numerator
        unrelated:
          treaarsbesoeg_familier: why no linear relation holds

A term is `indicator` (its value) or `indicator.numerator` / `indicator.denominator`; a relation holds for
every area and period both sides are published for (and so for every total over areas and quarters).
Declare also what a reader may reasonably assume (the visits equal the children visited, when no child has
two at the same age): where the data break a relation in a cell, it is ignored there, since a wrong
assumption reveals nothing true about that cell.
The seed `disclosure_relations` is generated from the ymls (`python -m pipelines.privacy.relations`), so the
dbt model reads it like any reference table; tests/test_disclosure_relations.py fails when the seed and
the ymls differ, and when a person-level model publishes an indicator that no relation or `unrelated`
entry names.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

PARTS = ("value", "numerator", "denominator")
OPERATORS = ("<=", ">=", "=")
SEED_COLUMNS = ("source_system", "relation", "model")
_TERM = re.compile(r"^([a-z0-9_]+)(?:\.(value|numerator|denominator))?$")


class RelationError(ValueError):
    """A relation that cannot be read."""


@dataclass(frozen=True)
class Term:
    """One part (value, numerator or denominator) of an indicator."""

    indicator: str
    part: str = "value"

    def __str__(self) -> str:
        return self.indicator if self.part == "value" else f"{self.indicator}.{self.part}"


@dataclass(frozen=True)
class Relation:
    """left (=, <= or >=) the sum of right, for every cell both sides have, within one source system."""

    source_system: str
    left: Term
    operator: str
    right: tuple[Term, ...]

    @property
    def indicators(self) -> set[str]:
        return {self.left.indicator, *(term.indicator for term in self.right)}

    def __str__(self) -> str:
        return f"{self.left} {self.operator} " + " + ".join(str(term) for term in self.right)


def _term(text: str) -> Term:
    match = _TERM.match(text.strip())
    if not match:
        raise RelationError(f"not a term: {text!r} (indicator, indicator.numerator or indicator.denominator)")
    return Term(match[1], match[2] or "value")


def parse(source_system: str, text: str) -> Relation:
    """`a.denominator = b`, `a >= b.numerator + c.numerator`."""
    for operator in OPERATORS:
        if operator in text:
            left, right = text.split(operator, 1)
            terms = tuple(_term(term) for term in right.split("+"))
            relation = Relation(source_system, _term(left), operator, terms)
            if relation.left in relation.right:
                raise RelationError(f"{text!r}: a term on both sides")
            return relation
    raise RelationError(f"{text!r}: no =, <= or >=")


@dataclass(frozen=True)
class Declaration:
    """What one model declares under meta.disclosure."""

    model: str
    path: Path
    source_system: str
    relations: tuple[Relation, ...]
    unrelated: dict[str, str]


def declarations(models_dir: Path) -> Iterator[Declaration]:
    """Every model yml under models_dir with meta.disclosure, sorted by layer, file name and model.

    By layer and file name, not by full path: the seed's order does not change when a model moves to another
    sub-folder of its layer (intermediate/persons/<source>/).
    """
    for path in sorted(models_dir.rglob("*.yml"), key=lambda p: (p.relative_to(models_dir).parts[0], p.name)):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in document.get("models") or []:
            block = ((model.get("meta") or {}).get("disclosure")) or ((model.get("config") or {}).get(
                "meta") or {}).get("disclosure")
            if not block:
                continue
            source_system = block["source_system"]
            relations = tuple(parse(source_system, text) for text in block.get("relations") or [])
            yield Declaration(model["name"], path, source_system, relations, dict(block.get("unrelated") or {}))


def seed_text(models_dir: Path) -> str:
    """The seed disclosure_relations.csv, as generated from the ymls."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SEED_COLUMNS)
    for declaration in declarations(models_dir):
        for relation in declaration.relations:
            writer.writerow((relation.source_system, str(relation), declaration.model))
    return buffer.getvalue()


def from_rows(rows: Iterable[dict]) -> list[Relation]:
    """Relations from the seed's rows (source_system, relation)."""
    return [parse(row["source_system"], row["relation"]) for row in rows]


def main(argv: list[str] | None = None) -> int:
    """Write dbt_project/seeds/disclosure_relations.csv from the models' ymls."""
    root = Path(__file__).resolve().parents[2] / "dbt_project"
    target = root / "seeds" / "disclosure_relations.csv"
    target.write_text(seed_text(root / "models"), encoding="utf-8")
    print(f"Skrevet: {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
