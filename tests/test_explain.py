"""pipelines/report/explain.py on a small published-shaped database."""

from __future__ import annotations

import duckdb
import pytest
from rich.console import Console

from pipelines.report.explain import criteria_overview, explain_criterion

CRITERIA = [
    ("strat_tt_tryghed_general", "tryghed_general_2017_2021", "absolute_threshold", "police_tryghedsindeks"),
    ("sub_tt_tryghed_general", "tryghed_general_2017_2021", "change_vs_baseline", "police_tryghedsindeks"),
    ("strat_tt_delmaal_2_lokalt_engagement", "strat_tt_delmaal_2_lokalt_engagement", "qualitative", None),
]
STATUS = [
    ("strat_tt_tryghed_general", "ringparken", "2016", 72.0, "2016", 72.0, 72.4, "not_met",
     "72 (indeks) i 2016; mål: over 72,4 (indeks) i 2021 – ikke opfyldt."),
    ("strat_tt_tryghed_general", "ringparken", "2018", 74.0, "2016", 72.0, 72.16, "on_track",
     "74 (indeks) i 2018; mål: over 72,4 (indeks) i 2021; ret linje fra 72 (2016) giver mindst 72,16 – på sporet."),
    ("strat_tt_tryghed_general", "sydbyen", "2017", None, "2017", None, None, "missing_data",
     "Ingen værdi leveret for 2017."),
    ("strat_tt_tryghed_general", "skaelskoer", "2018", 83.0, "2017", 81.0, 81.0, "on_track",
     "83 (indeks) i 2018; mål: højere end baseline 81 (2017) (leveret baseline) – på sporet."),
]
BASELINES = [
    ("strat_tt_tryghed_general", "ringparken", "2016", 72.0, "catalog"),
    ("strat_tt_tryghed_general", "sydbyen", "2017", None, None),
    ("strat_tt_tryghed_general", "skaelskoer", "2017", 81.0, "delivered"),
]


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create table criteria (criterion_id varchar, canonical_id varchar, target_kind varchar,"
                " source_system varchar, text_da varchar, unit varchar, direction varchar, plan_period varchar,"
                " granularity varchar)")
    for row in CRITERIA:
        con.execute("insert into criteria values (?, ?, ?, ?, 'Tekst', 'percent', 'increase',"
                    " '2017-10-01/2021-09-30', 'per_area')", list(row))
    con.execute("create table kpi_status (criterion_id varchar, area_key varchar, period varchar, value double,"
                " baseline_period varchar, baseline_value double, target_value double, status varchar,"
                " status_reason varchar)")
    con.executemany("insert into kpi_status values (?, ?, ?, ?, ?, ?, ?, ?, ?)", STATUS)
    con.execute("create table kpi_baselines (criterion_id varchar, area_key varchar, baseline_period varchar,"
                " baseline_value double, baseline_source varchar)")
    con.executemany("insert into kpi_baselines values (?, ?, ?, ?, ?)", BASELINES)
    return con


def test_explain_names_rule_baselines_sources_and_reasons(con):
    text = explain_criterion(con, "strat_tt_tryghed_general")
    assert "en fast tærskel" in text
    assert "vises også under: sub_tt_tryghed_general" in text
    assert "Ringparken/Schackenborgvænge: baseline 72 (2016), kilde: værdien i kriteriekataloget" in text
    assert "Skælskør: baseline 81 (2017), kilde: leveret som baseline-fil" in text
    assert "Sydbyen: baseline 2017 er endnu ikke kendt" in text
    assert "2016:        72  mål      72,4  Ikke opfyldt" in text
    assert "ret linje fra 72 (2016) giver mindst 72,16 – på sporet." in text


def test_explain_without_kpi_baselines_falls_back_to_kpi_status(con):
    con.execute("drop table kpi_baselines")
    assert "Ringparken/Schackenborgvænge: baseline 72 (2016), kilde: fra kpi_status" in \
        explain_criterion(con, "strat_tt_tryghed_general")


def test_explain_unsourced_and_unknown(con):
    assert "Ingen vurderinger" in explain_criterion(con, "strat_tt_delmaal_2_lokalt_engagement")
    with pytest.raises(KeyError):
        explain_criterion(con, "findes_ikke")


def test_overview_shows_latest_status_per_area(con):
    console = Console(width=250, record=True)
    console.print(criteria_overview(con))
    text = console.export_text()
    assert "På sporet (2018)" in text
    assert "Mangler data (2017)" in text
    assert "strat_tt_delmaal_2_lokalt_engagement" in text
