"""The project's own check of a published file against docs/warehouse_contract.md (version 3).

It checks everything the programme's shared contract checker (version 3) (which `make check-spec` runs beside this one)
checks, so that a clone without `../shared` can still prove its file keeps the contract: the public
tables and their columns, the version-2 columns where a table has some of them, the vocabularies
(status, gap type, ledger status, run outcome), the area keys, the period formats, that every catalog
criterion with a data source has `kpi_status` rows, the number of criteria, and no CPR-shaped value in
any text column. Its CPR pattern is the one ingestion rejects files with (any DDMMYY-SSSS shape, a
superset of the shared checker's plausible-date pattern).

Each problem has a `kind` and a `subject` (what a test compares between checkers) and a Danish
message for the analyst; a CPR-shaped value is never quoted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import yaml

from pipelines.contract_columns import CONTRACT_TABLES, EXTENSION_TABLES
from pipelines.privacy.detector import contains_cpr, mask_cpr
from pipelines.reference.resolution import COMPARATOR_AREA_KEYS
from pipelines.settings import DEFAULT_SOURCES, REFERENCE_DIR_NAME
from pipelines.vocabulary import keys
from pipelines.yaml_text import load_yaml

DEFAULT_CATALOG = DEFAULT_SOURCES / REFERENCE_DIR_NAME / "criteria.yaml"

# Version 2: extra data_gaps columns and the reserved extension tables, checked only where a table has some.
VERSION_2_COLUMNS: dict[str, list[str]] = {
    "data_gaps": ["supplier", "due_date"],
    "kpi_baselines": EXTENSION_TABLES["kpi_baselines"],
    "kpi_status_history": ["criterion_id", "area_key", "period", "status", "valid_from", "valid_to"],
    "load_runs": EXTENSION_TABLES["load_runs"],
}
# What every file must have: the contract tables without their version-2 columns (older builds stay valid).
REQUIRED_COLUMNS: dict[str, list[str]] = {
    table: [c for c in columns if c not in VERSION_2_COLUMNS.get(table, [])]
    for table, columns in CONTRACT_TABLES.items()
}
# The contract's vocabularies: the keys of the vocabulary seed's contract kinds (a test holds them equal to
# docs/warehouse_contract.md).
STATUSES = keys("status")
GAP_TYPES = keys("gap_type")
LEDGER_STATUSES = keys("ledger_status")
RUN_OUTCOMES = keys("run_outcome")
VOCABULARIES: dict[tuple[str, str], frozenset[str]] = {
    ("load_runs", "outcome"): RUN_OUTCOMES,
    ("kpi_status", "status"): STATUSES,
    ("data_gaps", "gap_type"): GAP_TYPES,
    ("load_ledger", "status"): LEDGER_STATUSES,
}
KEYED_TABLES = ("kpi_status", "measurements")
# '2015', '2018Q3', '2017/18' (plan or school year) and the six-digit month form the shared checker accepts.
PERIOD_FORMAT = re.compile(r"^\d{4}$|^\d{4}Q[1-4]$|^\d{4}/\d{2}$|^\d{6}$")


@dataclass(frozen=True)
class Problem:
    kind: str  # missing_table, missing_columns, partial_version_2, vocabulary, area_key, period, ...
    subject: str  # the table, or table.column, the problem is about
    message: str  # Danish, for the analyst

    def __str__(self) -> str:
        return self.message


@dataclass
class ContractReport:
    passed: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def check(self, ok: bool, problem: Callable[[], Problem]) -> None:
        if ok:
            self.passed += 1
        else:
            self.problems.append(problem())

    def summary(self) -> str:
        return f"{self.passed} bestået, {len(self.problems)} fejlede"


class _Warehouse:
    """Read-only questions about the tables in schema main."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.tables = {r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main'").fetchall()}
        self._columns: dict[str, list[str]] = {}
        for table, column in con.execute(
                "select table_name, column_name from information_schema.columns where table_schema = 'main'"
                " order by table_name, ordinal_position").fetchall():
            self._columns.setdefault(table, []).append(column)

    def columns(self, table: str) -> list[str]:
        return self._columns.get(table, [])

    def distinct(self, table: str, column: str) -> set:
        if table not in self.tables:
            return set()
        try:
            return {r[0] for r in self.con.execute(f'select distinct "{column}" from main."{table}"').fetchall()}
        except duckdb.Error:
            return set()


def _shown(values: set) -> list[str]:
    """A few of the values found, for the message; a CPR-shaped one is never quoted."""
    return sorted(mask_cpr(str(v), mask="<CPR-lignende værdi>") for v in values)[:5]


def _check_tables(wh: _Warehouse, report: ContractReport) -> None:
    for table, columns in REQUIRED_COLUMNS.items():
        report.check(table in wh.tables, lambda t=table: Problem("missing_table", t, f"Tabellen main.{t} mangler."))
        if table not in wh.tables:
            continue
        missing = [c for c in columns if c not in wh.columns(table)]
        report.check(not missing, lambda t=table, m=missing: Problem(
            "missing_columns", t, f"Tabellen {t} mangler kolonnerne {', '.join(m)}."))
    for table, columns in VERSION_2_COLUMNS.items():
        if table not in wh.tables:
            continue
        have = wh.columns(table)
        if any(c in have for c in columns):
            missing = [c for c in columns if c not in have]
            report.check(not missing, lambda t=table, m=missing: Problem(
                "partial_version_2", t,
                f"Tabellen {t} har nogle af kontraktens version 2-kolonner, men mangler {', '.join(m)}."))


def _check_values(wh: _Warehouse, report: ContractReport) -> None:
    # The programme's own areas are the file's `areas` (built from its catalog), plus the aggregates and the
    # comparators; without that table (reported as missing) the area keys cannot be judged.
    area_keys = wh.distinct("areas", "area_key") | COMPARATOR_AREA_KEYS if "areas" in wh.tables else None
    for (table, column), allowed in VOCABULARIES.items():
        bad = wh.distinct(table, column) - allowed
        report.check(not bad, lambda t=table, c=column, b=bad: Problem(
            "vocabulary", f"{t}.{c}", f"{t}.{c} har værdier uden for kontrakten: {', '.join(_shown(b))}."))
    for table in KEYED_TABLES:
        bad = {a for a in wh.distinct(table, "area_key") if a is not None} - area_keys if area_keys else set()
        report.check(not bad, lambda t=table, b=bad: Problem(
            "area_key", f"{t}.area_key", f"{t}.area_key har områdenøgler uden for kontrakten: {', '.join(_shown(b))}."))
        bad = {p for p in wh.distinct(table, "period") if p is not None and not PERIOD_FORMAT.match(str(p))}
        report.check(not bad, lambda t=table, b=bad: Problem(
            "period", f"{t}.period",
            f"{t}.period har perioder i et format, kontrakten ikke kender (ÅÅÅÅ, ÅÅÅÅQn, ÅÅÅÅ/ÅÅ): "
            f"{', '.join(_shown(b))}."))


def _check_catalog(wh: _Warehouse, report: ContractReport, catalog_file: Path) -> None:

    try:
        catalog = load_yaml(catalog_file.read_text(encoding="utf-8"))["criteria"]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        report.problems.append(Problem("catalog", str(catalog_file),
                                       f"Kataloget {catalog_file} kunne ikke læses: {type(exc).__name__}."))
        return
    wanted = {c["id"] for c in catalog if c.get("source_system") not in (None, "none")}
    uncovered = sorted(wanted - wh.distinct("kpi_status", "criterion_id"))
    report.check(not uncovered, lambda: Problem(
        "uncovered_criteria", "kpi_status",
        f"{len(uncovered)} kriterier med en datakilde i kataloget har ingen rækker i kpi_status, "
        f"fx {', '.join(uncovered[:5])}."))
    ids = len(wh.distinct("criteria", "criterion_id"))
    report.check(ids == len(catalog), lambda: Problem(
        "criteria_count", "criteria", f"Tabellen criteria har {ids} kriterier; kataloget har {len(catalog)}."))


def _check_cpr(wh: _Warehouse, report: ContractReport) -> None:
    """Every text column in every schema; the message names the column, never the value."""
    hits = []
    for schema, table, column, dtype in wh.con.execute(
            "select table_schema, table_name, column_name, data_type from information_schema.columns").fetchall():
        if "CHAR" not in str(dtype).upper():
            continue
        values = wh.con.execute(f'select distinct "{column}" from "{schema}"."{table}" where "{column}" is not null')
        if any(contains_cpr(str(value)) for (value,) in values.fetchall()):
            hits.append(f"{schema}.{table}.{column}")
    report.check(not hits, lambda: Problem(
        "cpr", ",".join(hits), f"CPR-lignende værdier i {', '.join(hits)} (værdierne vises ikke)."))


def check_contract(con: duckdb.DuckDBPyConnection, catalog_file: Path = DEFAULT_CATALOG) -> ContractReport:
    """Check an open (read-only) connection to a published file; the connection stays open."""
    wh = _Warehouse(con)
    report = ContractReport()
    _check_tables(wh, report)
    _check_values(wh, report)
    _check_catalog(wh, report, catalog_file)
    _check_cpr(wh, report)
    return report


def check_contract_file(warehouse: Path, catalog_file: Path = DEFAULT_CATALOG) -> ContractReport:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return check_contract(con, catalog_file)
