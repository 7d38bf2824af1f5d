"""The project's contract checker flags what the shared checker (version 2) flags, on deliberately broken files.

Every case builds a small DuckDB file that keeps the contract, breaks one thing and checks that the project's
checker names exactly that. Where ../shared exists, the shared checker runs on the same file and must name
the same things; without ../shared only the project's checker runs.
"""

from __future__ import annotations

import re
import runpy
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from pipelines.publish.contract_audit import REQUIRED_COLUMNS, VERSION_2_COLUMNS, check_contract, check_contract_file
from tests.conftest import SHARED, run_kpi

SHARED_CHECKER = SHARED / "tools" / "check_contract.py"
A_CPR_NUMBER = "010190-1234"  # made up, CPR-shaped (a plausible date), so both checkers' patterns match it

CATALOG = {"criteria": [
    {"id": "crit_measured", "source_system": "police_haervaerk"},
    {"id": "crit_unmeasured", "source_system": "none"},
]}
VALID_ROWS: dict[str, dict[str, object]] = {
    "criteria": {"criterion_id": "crit_measured"},
    "areas": {"area_key": "motalavej", "name_da": "Motalavej"},
    "measurements": {"source_system": "police_haervaerk", "area_key": "motalavej", "period": "2018",
                     "source_file": "police_haervaerk_2018_20190115.csv"},
    "kpi_status": {"criterion_id": "crit_measured", "area_key": "combined", "period": "2018Q3", "status": "met",
                   "status_reason": "38 i 2018; mål: under 40"},
    "data_gaps": {"source_system": "police_haervaerk", "area_key": "sydbyen", "period": "2017/18",
                  "gap_type": "missing_delivery"},
    "load_ledger": {"source_system": "police_haervaerk", "file_name": "police_haervaerk_2018_20190115.csv",
                    "status": "loaded"},
}


def _create(con: duckdb.DuckDBPyConnection, table: str, columns: list[str], row: dict[str, object]) -> None:
    con.execute(f"create table {table} ({', '.join(f'{c} varchar' for c in columns)})")
    con.execute(f"insert into {table} values ({', '.join('?' for _ in columns)})", [row.get(c) for c in columns])


def fill_warehouse(con: duckdb.DuckDBPyConnection, breakage: list[str]) -> duckdb.DuckDBPyConnection:
    """Version-1 tables that keep the contract (two criteria, one row per table), then the breaking SQL."""
    for table, columns in REQUIRED_COLUMNS.items():
        _create(con, table, columns, VALID_ROWS[table])
    con.execute("insert into criteria (criterion_id) values ('crit_unmeasured')")
    for statement in breakage:
        con.execute(statement)
    return con


def build_warehouse(path: Path, breakage: list[str]) -> Path:
    with duckdb.connect(str(path)) as con:
        fill_warehouse(con, breakage)
    return path


def _load_runs(outcome: str) -> list[str]:
    columns = ", ".join(f"{c} varchar" for c in VERSION_2_COLUMNS["load_runs"])
    return [f"create table load_runs ({columns})",
            f"insert into load_runs (run_id, outcome) values ('r1', '{outcome}')"]


# name: (SQL that breaks the valid file, the problems both checkers must report as (kind, subject))
CASES: dict[str, tuple[list[str], set[tuple[str, str]]]] = {
    "valid": ([], set()),
    "valid with the version-2 extensions": (
        ["alter table data_gaps add column supplier varchar", "alter table data_gaps add column due_date date",
         *_load_runs("skipped_locked")], set()),
    "a missing table": (["drop table areas"], {("missing_table", "areas")}),
    "a missing column": (["alter table kpi_status drop column status_reason"], {("missing_columns", "kpi_status")}),
    "half of the data_gaps version-2 columns": (
        ["alter table data_gaps add column supplier varchar"], {("partial_version_2", "data_gaps")}),
    "version 3: a figure that needs the board's reading": (
        ["update kpi_status set status = 'needs_reading'", "update data_gaps set gap_type = 'needs_reading'"], set()),
    "a bad status": (["update kpi_status set status = 'groen'"], {("vocabulary", "kpi_status.status")}),
    "a null status": (["update kpi_status set status = null"], {("vocabulary", "kpi_status.status")}),
    "a bad gap type": (["update data_gaps set gap_type = 'late'"], {("vocabulary", "data_gaps.gap_type")}),
    "a bad ledger status": (["update load_ledger set status = 'ok'"], {("vocabulary", "load_ledger.status")}),
    "a bad run outcome": (_load_runs("crashed"), {("vocabulary", "load_runs.outcome")}),
    "an unknown area key": (["update measurements set area_key = 'korsoer'"], {("area_key", "measurements.area_key")}),
    "a bad period": (["update kpi_status set period = '2015-16'"], {("period", "kpi_status.period")}),
    "a publication-date period": (["update measurements set period = '2019-01-15'"],
                                  {("period", "measurements.period")}),
    "a criterion with a source and no status rows": (
        ["delete from kpi_status"], {("uncovered_criteria", "kpi_status")}),
    "a criterion missing from criteria": (
        ["delete from criteria where criterion_id = 'crit_unmeasured'"], {("criteria_count", "criteria")}),
    "a CPR-shaped value": (
        [f"update measurements set source_file = 'udtræk {A_CPR_NUMBER}.csv'"],
        {("cpr", "main.measurements.source_file")}),
    "a CPR-shaped value outside schema main": (
        ["create schema raw", f"create table raw.persons as select '{A_CPR_NUMBER.replace('-', '')}' as cpr"],
        {("cpr", "raw.persons.cpr")}),
    "a CPR-shaped status": (
        [f"update kpi_status set status = '{A_CPR_NUMBER}'"],
        {("vocabulary", "kpi_status.status"), ("cpr", "main.kpi_status.status")}),
    "several problems at once": (
        ["update kpi_status set status = 'groen', period = '2015-16'", "drop table load_ledger"],
        {("vocabulary", "kpi_status.status"), ("period", "kpi_status.period"), ("missing_table", "load_ledger")}),
}

# The shared checker's lines (`FAIL: ...`) as (kind, subject), so that both checkers can be compared.
SHARED_LINES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^table main\.(?P<subject>\w+) is missing"), "missing_table"),
    (re.compile(r"^(?P<subject>\w+): missing columns"), "missing_columns"),
    (re.compile(r"^(?P<subject>\w+): has some of the version-2 columns"), "partial_version_2"),
    (re.compile(r"^(?P<subject>\w+\.area_key) outside the contract"), "area_key"),
    (re.compile(r"^(?P<subject>\w+\.\w+) outside the contract"), "vocabulary"),
    (re.compile(r"^(?P<subject>\w+\.period) not in the contract's formats"), "period"),
    (re.compile(r"^\d+ catalog criteria with a source have no (?P<subject>kpi_status) rows"), "uncovered_criteria"),
    (re.compile(r"^(?P<subject>criteria) holds \d+ ids"), "criteria_count"),
]


def shared_problems(output: str) -> set[tuple[str, str]]:
    found = set()
    for line in output.splitlines():
        if not line.startswith("FAIL: "):
            continue
        text = line.removeprefix("FAIL: ")
        if cpr := re.match(r"^CPR-shaped values in \[(.*)\]$", text):
            found.add(("cpr", ",".join(re.findall(r"'([^']+)'", cpr.group(1)))))
            continue
        kind, match = next(((k, m) for p, k in SHARED_LINES if (m := p.match(text))), (None, None))
        assert match is not None, f"a line of the shared checker that this test does not know: {line}"
        found.add((kind, match.group("subject")))
    return found


@pytest.fixture(scope="module")
def catalog_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("catalog") / "criteria.yaml"
    path.write_text(yaml.safe_dump(CATALOG), encoding="utf-8")
    return path


@pytest.mark.parametrize("case", list(CASES))
def test_project_checker_flags_exactly_the_breakage(case: str, catalog_file: Path) -> None:
    breakage, expected = CASES[case]
    with duckdb.connect() as con:
        report = check_contract(fill_warehouse(con, breakage), catalog_file)
    assert {(p.kind, p.subject) for p in report.problems} == expected
    assert report.ok == (not expected)
    assert all(A_CPR_NUMBER not in p.message and A_CPR_NUMBER.replace("-", "") not in p.message
               for p in report.problems)


def run_shared_checker(warehouse: Path, catalog_file: Path, capsys, monkeypatch) -> tuple[int, str]:
    """The shared checker's main(), in this process (a child process per case would cost seconds each)."""
    checker = runpy.run_path(str(SHARED_CHECKER), run_name="shared_check_contract")
    monkeypatch.setattr(sys, "argv", [str(SHARED_CHECKER), str(warehouse), "--criteria", str(catalog_file)])
    capsys.readouterr()
    code = checker["main"]()
    return code, capsys.readouterr().out


@pytest.mark.skipif(not SHARED_CHECKER.is_file(), reason="no shared checker (KPI_SHARED_DIR); make check-spec")
def test_shared_checker_flags_the_same_things(tmp_path: Path, catalog_file: Path, capsys, monkeypatch) -> None:
    for number, (case, (breakage, expected)) in enumerate(CASES.items()):
        warehouse = build_warehouse(tmp_path / f"case_{number}.duckdb", breakage)
        code, output = run_shared_checker(warehouse, catalog_file, capsys, monkeypatch)
        shared = shared_problems(output)
        project = {(p.kind, p.subject) for p in check_contract_file(warehouse, catalog_file).problems}
        assert shared == project == expected, f"{case}: shared {shared}, project {project}\n{output}"
        assert code == (1 if expected else 0), case


def test_kpi_check_contract_names_the_problem_in_danish(tmp_path: Path, catalog_file: Path) -> None:
    warehouse = build_warehouse(tmp_path / "kpi.duckdb", [
        "update kpi_status set status = 'groen'", f"update measurements set source_file = '{A_CPR_NUMBER}'"])
    done = run_kpi("check-contract", str(warehouse), "--criteria", str(catalog_file))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FEJL: kpi_status.status har værdier uden for kontrakten: groen." in done.stdout
    assert "CPR-lignende værdier i main.measurements.source_file" in done.stdout
    assert A_CPR_NUMBER not in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_kpi_check_contract_refuses_a_missing_file(tmp_path: Path) -> None:
    missing = run_kpi("check-contract", str(tmp_path / "nowhere.duckdb"))
    assert missing.returncode == 4
    assert "findes ikke" in missing.stderr and "Traceback" not in missing.stderr


def test_kpi_check_contract_passes_the_published_demo(published_demo) -> None:
    done = run_kpi("check-contract", str(published_demo.warehouse))  # the project's own catalog copy
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^\d+ bestået, 0 fejlede$", done.stdout, re.M), done.stdout
