"""The nightly skips the board report when the published tables it shows are what the last report showed.

Protects: a run whose statuses did not change costs no PDF layout (~15 s), and a run whose statuses did
change always renders. Reproduce: change a status in a published file and call `report_is_current`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from pipelines.report.changes import read_state, write_state
from pipelines.report.freshness import published_content, report_is_current
from pipelines.report.paths import REPORT_STEM


def _published(path: Path, status: str = "met", loaded_at: str = "2026-12-01 02:00:00") -> Path:
    path.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create table kpi_status (criterion_id varchar, area_key varchar, status varchar)")
        con.execute("insert into kpi_status values ('c1', 'a', ?), ('c1', 'b', 'not_met')", [status])
        con.execute("create table data_gaps (criterion_id varchar, gap_type varchar)")
        con.execute("insert into data_gaps values ('c2', 'missing_delivery')")
        con.execute("create table load_ledger (file_name varchar, loaded_at timestamp)")
        con.execute("insert into load_ledger values ('f.csv', ?)", [loaded_at])
    return path


def _reported(out_dir: Path, warehouse: Path) -> Path:
    out_dir.mkdir(exist_ok=True)
    for suffix in ("html", "xlsx", "pdf"):
        (out_dir / f"{REPORT_STEM}.{suffix}").write_text("x")
    write_state(out_dir, datetime(2026, 12, 1), datetime(2026, 12, 1), published_content(warehouse))
    return out_dir


def test_same_content_is_current_even_with_new_load_times(tmp_path: Path) -> None:
    warehouse = _published(tmp_path / "kpi.duckdb")
    out_dir = _reported(tmp_path / "reports", warehouse)
    _published(warehouse, loaded_at="2026-12-02 02:00:00")
    assert report_is_current(out_dir, warehouse)


def test_changed_status_is_not_current(tmp_path: Path) -> None:
    warehouse = _published(tmp_path / "kpi.duckdb")
    out_dir = _reported(tmp_path / "reports", warehouse)
    _published(warehouse, status="not_met")
    assert not report_is_current(out_dir, warehouse)


def test_row_order_does_not_matter(tmp_path: Path) -> None:
    first = _published(tmp_path / "a.duckdb")
    second = tmp_path / "b.duckdb"
    with duckdb.connect(str(second)) as con:
        con.execute(f"attach '{first}' as a (read_only)")
        for table in ("kpi_status", "data_gaps", "load_ledger"):
            con.execute(f"create table {table} as select * from a.{table} order by all desc")
    assert published_content(first) == published_content(second)


@pytest.mark.parametrize("damage", ["no_files", "old_state", "no_state"])
def test_missing_or_old_report_is_not_current(tmp_path: Path, damage: str) -> None:
    warehouse = _published(tmp_path / "kpi.duckdb")
    out_dir = _reported(tmp_path / "reports", warehouse)
    if damage == "no_files":
        (out_dir / f"{REPORT_STEM}.pdf").unlink()
    elif damage == "old_state":  # written before the content digest existed
        write_state(out_dir, datetime(2026, 12, 1), datetime(2026, 12, 1))
        assert read_state(out_dir).content is None
    else:
        (out_dir / ".kpi_rapport_state.json").unlink()
    assert not report_is_current(out_dir, warehouse)


def test_unreadable_warehouse_has_no_content(tmp_path: Path) -> None:
    broken = tmp_path / "kpi.duckdb"
    broken.write_bytes(b"not a database")
    assert published_content(broken) is None
