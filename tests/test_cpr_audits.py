"""The publish audit and the contract checker use the one CPR detector: every written form stops them."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.publish.contract_audit import check_contract
from pipelines.publish.contract_tables import contract_problems

FORMS = ["CPR0101871467", "010187\u20131467", "010187 1467", "010187\u2011 1467", "\uff10\uff11\uff10\uff11\uff18\uff17"
         "\uff11\uff14\uff16\uff17", "cpr-nr.: 010187\u00a01467"]


def _warehouse(reason: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create table kpi_status (criterion_id varchar, status_reason varchar)")
    con.execute("insert into kpi_status values ('c', ?)", [reason])
    return con


@pytest.mark.parametrize("form", FORMS)
def test_the_publish_audit_stops_every_form(form: str) -> None:
    with _warehouse(form) as con:
        assert "kpi_status.status_reason: CPR-shaped value" in contract_problems(con)
        con.execute("update kpi_status set status_reason = 'Se 17. januar'")
        assert "kpi_status.status_reason: CPR-shaped value" not in contract_problems(con)


@pytest.mark.parametrize("form", FORMS)
def test_the_contract_checker_finds_every_form_and_never_quotes_it(form: str) -> None:
    with _warehouse(f"Se {form}") as con:
        report = check_contract(con)
    cpr = [p for p in report.problems if p.kind == "cpr"]
    assert [p.subject for p in cpr] == ["main.kpi_status.status_reason"]
    assert all("1467" not in p.message and "\uff11\uff14" not in p.message for p in report.problems)


def test_a_decimal_fraction_stops_neither() -> None:
    with _warehouse("Målt 17.7405976764 mod 12,5") as con:
        assert not [p for p in contract_problems(con) if "CPR" in p]
        assert not [p for p in check_contract(con).problems if p.kind == "cpr"]
