"""The delivery calendar: the one table per source for supplier, frequency, deadline, interval and publication lag."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.catalog.delivery_calendar import CalendarError, read_delivery_calendar

ROOT = Path(__file__).resolve().parents[1]
CALENDAR = ROOT / "sources" / "reference" / "delivery_calendar.csv"


def _rows() -> dict[str, dict[str, object]]:
    return {row["source_system"]: row for row in read_delivery_calendar(CALENDAR).to_dicts()}


def test_the_calendar_holds_every_delivery_fact_of_a_source() -> None:
    rows = _rows()
    own = rows["own_registrations"]
    # owed 15 days after the quarter, judged a month after it, delivered every quarter
    assert (own["deadline_months"], own["deadline_days"], own["expected_every_months"],
            own["publication_lag_months"]) == (0, 15, 3, 1)
    assert own["supplier"] == "Helhedsplanens sekretariat"
    assert (rows["bl_tables"]["expected_every_months"], rows["bl_tables"]["publication_lag_months"]) == (12, 12)
    assert rows["police_tryghedsindeks"]["publication_lag_months"] == 6
    assert rows["web_analytics"]["publication_lag_months"] == 1
    assert rows["baselines"]["expected_every_months"] is rows["baselines"]["publication_lag_months"] is None


def test_the_seed_it_replaced_is_gone() -> None:
    assert not (ROOT / "dbt_project" / "seeds" / "source_frequencies.csv").exists()
    grid = (ROOT / "dbt_project" / "models" / "intermediate" / "evaluation" / "int_kpi__evaluation_grid.sql").read_text(
        "utf-8")
    assert "ref('stg_catalog__delivery_calendar')" in grid


def test_a_calendar_without_the_lag_columns_is_refused_in_danish(tmp_path: Path) -> None:
    old = tmp_path / "delivery_calendar.csv"
    old.write_text("kildesystem;leverandoer;frekvens;fristregel;frist_maaneder;frist_dage;antaget;grundlag\n"
                   "web_analytics;Sekretariatet;årlig;1 måned;1;0;ja;\n", encoding="utf-8")
    with pytest.raises(CalendarError, match="kolonnerne interval_maaneder, udgivet_efter_maaneder mangler"):
        read_delivery_calendar(old)


def test_a_lag_that_is_no_whole_number_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "delivery_calendar.csv"
    lines = CALENDAR.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(";")
    cells = lines[1].split(";")
    cells[header.index("udgivet_efter_maaneder")] = "et år"
    bad.write_text("\n".join([lines[0], ";".join(cells)]) + "\n", encoding="utf-8")
    with pytest.raises(CalendarError, match="række 2, kolonne udgivet_efter_maaneder: 'et år' er ikke et helt tal"):
        read_delivery_calendar(bad)
