"""Output an analyst can read: expected notices summarised, the board's decisions as their own section, Danish
source names and tables that fit an 80-column terminal (issue 20)."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.commands import nightly
from pipelines.delivery.notices import count_da, outside_areas_notice, summarise
from pipelines.report.model import GAP_COLUMNS, OPTIONAL_GAP_COLUMNS, ReportData
from pipelines.report.tables import board_decisions, gap_summary
from tests.ops_helpers import TODAY, free_port, record_run, write_warehouse

UNKNOWN_COLUMN = "kmd_opera_2019_20200301.csv: ukendt kolonne 'Bemærkning' ignoreret"
BOARD_DETAIL = ("Tallet for de fire områder samlet i 2019 leveres ikke og kan ikke udledes: kilden leverer et indeks "
                "pr. område, og et indeks kan ikke lægges sammen eller puljes.")


# --- notices --------------------------------------------------------------------------------------------------


def test_expected_notices_become_one_line_and_real_warnings_stay() -> None:
    notices = [outside_areas_notice("school_absence_2017-2018_20180815.csv", 1133, 1133), UNKNOWN_COLUMN,
               outside_areas_notice("kmd_opera_2019_20200301.csv", 57_081, 60_000),
               outside_areas_notice("novax_2019_20200301.csv", 0, 0)]
    summary = summarise(notices)
    assert summary.expected == ["3 personlister: 58.214 personer (61.133 rækker) uden for områderne udeladt, "
                                "som forventet (listerne dækker hele kommunen)."]
    assert summary.to_act_on == [UNKNOWN_COLUMN]
    assert summarise([UNKNOWN_COLUMN]).expected == []
    assert summarise([outside_areas_notice("a.csv", 1, 2)]).expected[0].startswith("1 personliste: 1 personer")


@given(st.lists(st.tuples(st.from_regex(r"[a-z_]{1,20}_\d{4}_\d{8}\.csv", fullmatch=True),
                          st.integers(0, 10**6), st.integers(0, 10**6)), max_size=80))
def test_the_summary_counts_every_file_person_and_row(lists: list[tuple[str, int, int]]) -> None:
    summary = summarise([outside_areas_notice(*entry) for entry in lists])
    assert summary.to_act_on == []
    if not lists:
        assert summary.expected == []
        return
    [line] = summary.expected
    assert line.startswith(f"{count_da(len(lists))} personlist")
    assert f": {count_da(sum(p for _, p, _ in lists))} personer ({count_da(sum(r for _, _, r in lists))} rækker)" \
        in line


def test_the_nightly_prints_one_line_per_kind_and_logs_every_notice(monkeypatch, caplog) -> None:
    buffer = io.StringIO()
    monkeypatch.setattr(nightly, "console", Console(file=buffer, width=80))
    notices = [outside_areas_notice(f"uu_registration_{year}_20260120.csv", 1000 + year, 1000 + year)
               for year in range(2010, 2072)] + [UNKNOWN_COLUMN]
    with caplog.at_level("INFO", logger="pipelines.cli"):
        nightly._print_notices(notices)
    printed = buffer.getvalue().splitlines()
    assert printed[0].startswith("62 personlister: ")
    assert sum("personer uden for" in line for line in printed) == 0  # the summary says "personer (… rækker)"
    assert [line for line in printed if line.startswith("Advarsel:")] == [f"Advarsel: {UNKNOWN_COLUMN}"[:80]]
    assert len(printed) <= 5
    logged = [r.getMessage() for r in caplog.records]
    assert len([m for m in logged if m.startswith("Bemærkning: uu_registration_")]) == 62
    assert f"Bemærkning: {UNKNOWN_COLUMN}" in logged


# --- the report's board section and legend ---------------------------------------------------------------------


def _report(gaps: list[dict]) -> ReportData:
    return ReportData(generated_at=datetime(2026, 12, 1, 22, 0), as_of=None, data_as_of=None, last_load=None,
                      catalog_version="2", area_names={}, sections=[], since=None, since_label="", changes=[],
                      history_available=True, data_version=None, gaps=gaps,
                      gap_columns=[*GAP_COLUMNS, *OPTIONAL_GAP_COLUMNS])


def _gaps() -> list[dict]:
    board = {"source_system": "police_tryghedsindeks", "criterion_id": "strat_tt_delmaal_1_naboskab_tryghed",
             "area_key": "combined", "gap_type": "needs_reading", "supplier": "Bestyrelsen", "due_date": None}
    return [{**board, "period": str(year), "detail": BOARD_DETAIL.replace("2019", str(year))}
            for year in (2017, 2018, 2019)] + [
        {"source_system": "police_tryghedsindeks", "criterion_id": "partner_tryghed_yearly_improvement",
         "area_key": "sydbyen", "period": "2016", "gap_type": "missing_delivery", "detail": "Ingen værdi leveret.",
         "supplier": "Sydsjællands og Lolland-Falsters Politi", "due_date": date(2017, 6, 30)}]


def test_the_board_decides_what_no_supplier_can_deliver() -> None:
    data = _report(_gaps())
    assert board_decisions(data) == [{
        "Kriterium": "strat_tt_delmaal_1_naboskab_tryghed", "Tal": "Samlet (puljet)",
        "Kilde": "Politiets tryghedsindeks", "Perioder": "2017–2019",
        "Hvad mangler, og hvad kan bestyrelsen beslutte": "K" + BOARD_DETAIL.split(": ", 1)[1][1:]}]
    [owed] = gap_summary(data)  # what suppliers owe leaves the board's decisions out
    assert owed["Leverandør"] == "Sydsjællands og Lolland-Falsters Politi"
    assert owed["Kilde"] == "Politiets tryghedsindeks" and owed["Mangel"] == "Manglende leverance"


# --- kpi status and kpi gaps on an 80-column terminal -------------------------------------------------------------


@pytest.fixture
def no_prefect_server(monkeypatch):
    monkeypatch.setenv("KPI_PREFECT_PORT", str(free_port()))


@pytest.fixture
def terminal_80(monkeypatch):
    """The commands' console as on an 80-column terminal (it writes to whatever sys.stdout is then)."""
    import pipelines.commands.gaps as gaps_command
    import pipelines.commands.status as status_command

    for module in (gaps_command, status_command):
        monkeypatch.setattr(module, "console", Console(width=80))


def _within(output: str, width: int = 80) -> list[str]:
    return [line for line in output.splitlines() if len(line.rstrip()) > width]


def _warehouse(tmp_path):
    gaps = [("samarbejdsudvalg_evaluation", "2019", "missing_delivery",
             "Samarbejdsudvalgene (boligorganisationerne)", TODAY.replace(year=TODAY.year - 1)),
            ("police_tryghedsindeks", "2019", "needs_reading", "Bestyrelsen", None),
            ("police_tryghedsindeks", "2020", "needs_reading", "Bestyrelsen", None)]
    warehouse = write_warehouse(tmp_path / "kpi.duckdb", gaps)
    record_run(warehouse, "published", hours_ago=2)
    return warehouse


def test_kpi_status_shows_the_board_section_apart_from_late_suppliers(tmp_path, no_prefect_server,
                                                                     terminal_80) -> None:
    result = CliRunner().invoke(app, ["status", "--warehouse", str(_warehouse(tmp_path))])
    assert result.exit_code == 0, result.output
    output = result.output
    assert "Forsinkede kilder (1)" in output and "Samarbejdsudvalgenes" in output
    assert "Kræver bestyrelsens beslutning (1)" in output
    late = output[output.index("Forsinkede kilder"):output.index("Kræver bestyrelsens beslutning")]
    assert "tryghedsindeks" not in late and "Bestyrelsen" not in late  # the board owes no delivery
    board = output[output.index("Kræver bestyrelsens beslutning"):]
    assert "crit_x" in board and "2019–2020" in board and "Politiets tryghedsindeks" in board
    assert "_evaluation" not in output and "police_" not in output and "…" not in output
    assert _within(output) == []


def test_kpi_gaps_fits_80_columns_with_danish_source_names(tmp_path, terminal_80) -> None:
    result = CliRunner().invoke(app, ["gaps", "--warehouse", str(_warehouse(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "Samarbejdsudvalgenes" in result.output and "Kræver bestyrelsens beslutning (2)" in result.output
    assert "samarbejdsudvalg_evaluation" not in result.output and "…" not in result.output
    assert _within(result.output) == []
