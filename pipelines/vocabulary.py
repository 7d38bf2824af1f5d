"""The project's Danish vocabulary: one dbt seed (`dbt_project/seeds/vocabulary.csv`) read by SQL and Python.

Each row is `kind, key, word_da, symbol`: the published keys of a contract vocabulary (`status`, `gap_type`,
`ledger_status`, `run_outcome`) with the Danish word a reader sees, and the other words the outputs share
(how a gap type reads in the supplier list or among overdue sources, the Danish names of the aggregate and
comparator area keys, count words). dbt reads the same file through `ref('vocabulary')`.
"""

from __future__ import annotations

import csv
from functools import cache

from pipelines.settings import DBT_PROJECT_DIR

VOCABULARY_FILE = DBT_PROJECT_DIR / "seeds" / "vocabulary.csv"
# The kinds whose keys are a vocabulary of the published contract (docs/warehouse_contract.md).
CONTRACT_KINDS = ("status", "gap_type", "ledger_status", "run_outcome")


@cache
def _rows() -> tuple[tuple[str, str, str, str], ...]:
    with VOCABULARY_FILE.open(encoding="utf-8", newline="") as handle:
        return tuple((r["kind"], r["key"], r["word_da"], r["symbol"]) for r in csv.DictReader(handle))


def words(kind: str) -> dict[str, str]:
    """key → Danish word for one kind, in the seed's order (e.g. every status in report order)."""
    found = {key: word for row_kind, key, word, _ in _rows() if row_kind == kind}
    if not found:
        raise KeyError(f"no words of kind {kind!r} in {VOCABULARY_FILE}")
    return found


def symbols(kind: str) -> dict[str, str]:
    """key → symbol for the kinds that have one (status)."""
    return {key: symbol for row_kind, key, _, symbol in _rows() if row_kind == kind and symbol}


def keys(kind: str) -> frozenset[str]:
    """The allowed keys of a kind, e.g. the published statuses."""
    return frozenset(words(kind))
