"""`kpi status` tells the truth when the warehouse is fresh, when the last run failed and when it is overdue."""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from tests.ops_helpers import TODAY, free_port, record_run, write_warehouse

GAPS = [
    ("police_haervaerk", "2024", "stale", "Sydsjællands og Lolland-Falsters Politi", TODAY - timedelta(days=40)),
    ("police_haervaerk", "2025", "missing_delivery", "Sydsjællands og Lolland-Falsters Politi",
     TODAY - timedelta(days=10)),
    ("web_analytics", "2026", "missing_delivery", "Helhedsplanens sekretariat", TODAY + timedelta(days=30)),
    ("own_registrations", "2025Q1", "suppressed", None, None),
]


@pytest.fixture
def no_prefect_server(monkeypatch):
    monkeypatch.setenv("KPI_PREFECT_PORT", str(free_port()))


def kpi_status(warehouse) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["status", "--warehouse", str(warehouse)], env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_fresh_warehouse_exits_zero_and_says_when_it_was_built(tmp_path, no_prefect_server):
    warehouse = write_warehouse(tmp_path / "kpi.duckdb", GAPS)
    record_run(warehouse, "published_with_rejections", hours_ago=30, rejected=1)
    published = record_run(warehouse, "published", hours_ago=2, minutes=1)
    code, output = kpi_status(warehouse)
    assert code == 0, output
    assert f"Sidst publiceret: {published.finished_at:%Y-%m-%d %H:%M} (2 timer siden)" in output
    assert "Seneste kørsel:" in output and "publiceret" in output and "fejlet" not in output
    assert "Status: OK" in output


def test_failed_last_run_is_reported_while_the_older_publication_still_counts(tmp_path, no_prefect_server):
    warehouse = write_warehouse(tmp_path / "kpi.duckdb", GAPS)
    published = record_run(warehouse, "published", hours_ago=20)
    record_run(warehouse, "failed", hours_ago=1, message="dbt build fejlede: kpi_status")
    code, output = kpi_status(warehouse)
    assert code == 0, output
    assert f"Sidst publiceret: {published.finished_at:%Y-%m-%d %H:%M}" in output
    assert "fejlet: dbt build fejlede: kpi_status" in output


def test_overdue_publication_exits_non_zero_and_lists_the_late_sources(tmp_path, no_prefect_server):
    warehouse = write_warehouse(tmp_path / "kpi.duckdb", GAPS)
    record_run(warehouse, "published", hours_ago=40)
    record_run(warehouse, "failed", hours_ago=16, message="IOException: disken er fuld")
    record_run(warehouse, "skipped_locked", hours_ago=15)
    code, output = kpi_status(warehouse)
    assert code == 6, output
    assert "FORÆLDET" in output and "40 timer siden" in output
    assert "sprunget over" in output
    # one row per source, by its Danish name; the supplier on the row's second line
    lines = output.splitlines()
    row = next(i for i, line in enumerate(lines) if "Politiets hærværkstal" in line)
    police = lines[row]
    assert "Sydsjællands og Lolland-Falsters Politi" in lines[row + 1]
    assert f"{TODAY - timedelta(days=40):%Y-%m-%d}" in police  # the earliest due date
    assert "2024–2025" in police and "ikke leveret, forældet" in police
    assert "police_haervaerk" not in output
    assert "Besøg på hjemmesiden" not in output  # due in 30 days: not late yet
    assert "Egne registreringer" not in output  # suppressed is no delivery problem
    assert "Forsinkede kilder (1)" in output


def test_just_under_the_limit_is_still_fresh(tmp_path, no_prefect_server):
    warehouse = write_warehouse(tmp_path / "kpi.duckdb", [])
    record_run(warehouse, "published", hours_ago=35.5, minutes=1)
    code, output = kpi_status(warehouse)
    assert code == 0, output
    assert "Forsinkede kilder: ingen." in output


def test_without_run_log_the_file_time_counts_and_v1_data_gaps_work(tmp_path, no_prefect_server):
    warehouse = write_warehouse(tmp_path / "kpi.duckdb", [(*g[:3], None, None) for g in GAPS],
                                with_v2_columns=False)
    three_days_ago = time.time() - 72 * 3600
    os.utime(warehouse, (three_days_ago, three_days_ago))
    code, output = kpi_status(warehouse)
    assert code == 6, output
    assert "3 dage siden" in output and "filens tidsstempel" in output
    assert "Seneste kørsel: ingen registreret." in output
    assert "Besøg på hjemmesiden" in output  # no due dates in a v1 file: every gap counts


def test_never_published_exits_non_zero(tmp_path, no_prefect_server):
    code, output = kpi_status(tmp_path / "missing.duckdb")
    assert code == 6
    assert "Sidst publiceret: aldrig." in output


def test_an_unreachable_prefect_server_is_said_plainly(tmp_path, no_prefect_server):
    warehouse = write_warehouse(tmp_path / "kpi.duckdb", [])
    record_run(warehouse, "published", hours_ago=1)
    _, output = kpi_status(warehouse)
    assert "Planlægning: ukendt. Ingen Prefect-server svarer på http://127.0.0.1:" in output


def test_a_run_in_progress_is_not_called_failed(tmp_path, no_prefect_server):
    from pipelines.operate.lock import RunLock
    from pipelines.runtime.run_records import RunRecord, append_run

    warehouse = write_warehouse(tmp_path / "kpi.duckdb", [])
    record_run(warehouse, "published", hours_ago=24)
    with RunLock(warehouse):
        from datetime import datetime

        append_run(warehouse, RunRecord(datetime.now().replace(microsecond=0), outcome="failed",
                                        message="Kørslen er ikke afsluttet"))
        _, output = kpi_status(warehouse)
        assert "Seneste kørsel: i gang nu (proces" in output, output
    _, output = kpi_status(warehouse)  # the lock is released, the line has no end: the run was killed
    assert "afbrudt før den blev færdig" in output


def test_a_damaged_published_file_is_an_error_not_ok(tmp_path, no_prefect_server):
    warehouse = tmp_path / "kpi.duckdb"
    warehouse.write_bytes(b"not a duckdb file" * 100)
    record_run(warehouse, "published", hours_ago=1)
    code, output = kpi_status(warehouse)
    assert code == 6, output
    assert "Lageret kan ikke læses" in output and "Status: FEJL" in output
