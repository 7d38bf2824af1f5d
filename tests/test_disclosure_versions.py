"""Rule 8 across versions and through metadata: an attacker who reads every published version.

The attacker has what an evaluator is given: the published DuckDB file (kpi_status, measurements,
kpi_status_history with every version, load_ledger) and the board report's "what changed". The warehouse
is the demo after a correction, built by the real nightly: the programme's 2021 Q4 registrations are
delivered again with Sydbyen's youths training weekly corrected from 22 to 3. Sydbyen is then a small
cell, another area is hidden beside it so that today's `combined` does not give it back, and that other
area was published yesterday: on a history that keeps it, today's `combined` minus the published areas
minus yesterday's value is Sydbyen's 3.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date
from itertools import product
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from pipelines.load.source_figures import sources_frame
from pipelines.parse import registry
from pipelines.report.changes import Change, status_changes
from pipelines.report.model import UNCHECKED_NOTE_DA, StatusRow, load_report_data
from pipelines.report.vocabulary import STATUS_DA
from tests.conftest import AS_OF, PublishedDemo, run_kpi

CORRECTED_FILE = "own_registrations_2021Q4_20220301.xlsx"
CRITERION, YEAR, AREA, SMALL = "act_idraet_other_youth_weekly_training", "2021", "sydbyen", 3
Key = tuple[str, str, str]  # criterion_id, area_key, period


def deliver_correction(inbox: Path) -> Path:
    """The 2021 Q4 workbook again, later, with Sydbyen's `idraet_oevrige_unge_ugentlig` at 3 (was 22)."""
    folder = inbox / "own_registrations"
    workbook = load_workbook(folder / "own_registrations_2021Q4_20220115.xlsx")
    sheet = workbook["Registrering"]
    changed = 0
    for _, indicator, area, count, *_ in sheet.iter_rows():
        if indicator.value == "idraet_oevrige_unge_ugentlig" and area.value == "Sydbyen":
            difference = count.value - SMALL
            count.value = SMALL
            changed += 1
    for activity, _, _, count, *_ in sheet.iter_rows():
        if activity.value == "I alt":
            count.value -= difference
    assert changed == 1
    target = folder / CORRECTED_FILE
    workbook.save(target)
    return target


@pytest.fixture(scope="module")
def corrected(published_demo: PublishedDemo, tmp_path_factory: pytest.TempPathFactory) -> PublishedDemo:
    demo = published_demo.copy_to(tmp_path_factory.mktemp("corrected") / "demo")
    deliver_correction(demo.sources / "inbox")
    done = run_kpi("nightly", "--sources", str(demo.sources), "--warehouse", str(demo.warehouse), "--as-of", AS_OF)
    assert done.returncode == 0, done.stdout + done.stderr
    return demo


def internal(demo: PublishedDemo) -> Path:
    return demo.warehouse.with_name("kpi.internal.duckdb")


def hidden_now(demo: PublishedDemo) -> set[Key]:
    return set(demo.query("select criterion_id, area_key, period from kpi_status"
                          " where status = 'suppressed' and value is null"))


def every_published_value(demo: PublishedDemo) -> dict[Key, set[float]]:
    """Every value the attacker has seen of a figure: any version of kpi_status_history, and the report's
    "what changed" (its before- and now-values, from the data model and from the XLSX the nightly wrote)."""
    seen: dict[Key, set[float]] = defaultdict(set)
    for criterion_id, area_key, period, value in demo.query(
            "select criterion_id, area_key, period, value from kpi_status_history where value is not null"):
        seen[(criterion_id, area_key, period)].add(value)
    for change in load_report_data(demo.warehouse).changes:
        for value in (change.old_value, change.new_value):
            if value is not None:
                seen[(change.criterion_id, change.area_key, change.period)].add(value)
    names = dict(demo.query("select area_key, name_da from areas"))
    area_by_name = {name: key for key, name in names.items()} | {key: key for key in names}
    sheet = load_workbook(demo.warehouse.parent / "reports" / "kpi_rapport.xlsx")["Ændringer"]
    for criterion_id, area, period, _, before, _, now, *_ in sheet.iter_rows(min_row=2, values_only=True):
        for value in (before, now):
            if isinstance(value, int | float):
                seen[(criterion_id, area_by_name.get(area, area), str(period))].add(float(value))
    return seen


def true_values(demo: PublishedDemo) -> dict[Key, float]:
    with duckdb.connect(str(internal(demo)), read_only=True) as con:
        return {(c, a, p): v for c, a, p, v in con.execute(
            "select criterion_id, area_key, period, value from intermediate.int_kpi__evaluated"
            " where value is not null").fetchall()}


def recovered_by_subtraction(demo: PublishedDemo, seen: dict[Key, set[float]]) -> dict[Key, set[float]]:
    """Today's `combined` minus the areas published today minus, for the other areas hidden today, any value
    seen in a version: for each hidden area whose hidden neighbours all have a seen value, what it may be."""
    now = {(c, a, p): v for c, a, p, v in demo.query(
        "select criterion_id, area_key, period, value from kpi_status")}
    found: dict[Key, set[float]] = {}
    for (criterion_id, area_key, period), total in now.items():
        if area_key != "combined" or total is None:
            continue
        areas = {a: v for (c, a, p), v in now.items()
                 if c == criterion_id and p == period and a not in ("combined", "combined_mean")}
        published = sum(v for v in areas.values() if v is not None)
        hidden = [a for a, v in areas.items() if v is None]
        for target in hidden:
            others = [seen.get((criterion_id, a, period)) for a in hidden if a != target]
            if not others or not all(others):
                continue
            found[(criterion_id, target, period)] = {total - published - sum(values) for values in product(*others)}
    return found


def test_the_correction_hides_a_cell_that_was_published_before(corrected: PublishedDemo) -> None:
    """The scenario holds: Sydbyen is small now, and a cell hidden beside it had a published version."""
    assert (CRITERION, AREA, YEAR) in hidden_now(corrected)
    assert true_values(corrected)[(CRITERION, AREA, YEAR)] == SMALL
    with duckdb.connect(str(internal(corrected)), read_only=True) as con:
        earlier = set(con.execute(
            "select criterion_id, area_key, period from snapshots.kpi_status_snapshot"
            " where valid_to is not null and value is not null").fetchall())
    beside = {key for key in hidden_now(corrected)
              if key[0] == CRITERION and key[2] == YEAR and key[1] != AREA}
    assert beside & earlier, "a complementary cell must have had a published version"


def test_no_version_shows_a_value_hidden_now(corrected: PublishedDemo) -> None:
    """A figure hidden now has no value in any published version, nor before/after in "what changed"."""
    seen = every_published_value(corrected)
    leaks = sorted(key for key in hidden_now(corrected) if seen.get(key))
    assert leaks == []


def test_the_attacker_cannot_subtract_yesterday_from_today(corrected: PublishedDemo) -> None:
    """The attack of issue 19: no hidden cell comes out of today's totals minus yesterday's values."""
    truth = true_values(corrected)
    recovered = recovered_by_subtraction(corrected, every_published_value(corrected))
    exact = {key: values for key, values in recovered.items()
             if any(math.isclose(value, truth.get(key, math.nan)) for value in values)}
    assert exact == {}


def test_the_report_lists_no_change_of_a_figure_hidden_now(corrected: PublishedDemo) -> None:
    """'What changed' never shows a before-value of a figure hidden now (HTML/XLSX/PDF share one model)."""
    changes = load_report_data(corrected.warehouse).changes
    assert changes, "the correction changed combined figures"
    hidden = hidden_now(corrected)
    assert [c for c in changes if (c.criterion_id, c.area_key, c.period) in hidden] == []
    sheet = load_workbook(corrected.warehouse.parent / "reports" / "kpi_rapport.xlsx")["Ændringer"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows and all(row[4] is None for row in rows if row[5] == STATUS_DA["suppressed"])


def test_what_changed_hides_the_before_value_of_any_row_hidden_now() -> None:
    """Even from an unmasked history (a warehouse built before the rule): no before-value of a hidden figure."""
    def row(area: str, status: str, value: float | None) -> StatusRow:
        return StatusRow(CRITERION, area, YEAR, value, None, None, 20.0, status, "grund", date(2022, 3, 1))

    old = [row("motalavej", "met", 25.0), row(AREA, "met", 22.0), row("combined", "met", 73.0)]
    new = [row("motalavej", "suppressed", None), row(AREA, "suppressed", None), row("combined", "not_met", 54.0)]
    assert status_changes(old, new) == [Change(CRITERION, "combined", YEAR, "met", 73.0, "not_met", 54.0, "grund")]


# --- through metadata ----------------------------------------------------------------------------------------


def rows_are_persons() -> set[str]:
    """Sources whose parsers keep rows (person level, questionnaire respondents): a row is a person."""
    return {row["source_system"] for row in sources_frame(registry()).iter_rows(named=True) if row["rows_are_persons"]}


def test_the_sources_whose_rows_are_persons_are_the_person_level_parsers() -> None:
    assert rows_are_persons() == {"kmd_opera", "novax", "questionnaire", "school_absence", "school_readiness",
                                  "uu_registration"}


def test_the_ledger_publishes_no_person_count(published_demo: PublishedDemo) -> None:
    """A dropout list has one row per pupil: its rows_loaded would be the quarter's combined count, so that
    three hidden areas summing to 3 are each 1. No published ledger column of a person-level file counts."""
    person_sources = rows_are_persons()
    published = published_demo.query("select source_system, file_name, rows_loaded from load_ledger")
    counted = sorted((source, name, rows) for source, name, rows in published
                     if source in person_sources and rows is not None)
    assert counted == []
    assert {source for source, _, _ in published} & person_sources, "the demo has person-level files"
    aggregate = [rows for source, _, rows in published if source not in person_sources]
    assert aggregate and all(isinstance(rows, int) for rows in aggregate), "aggregate files keep their counts"


def test_the_ledger_column_would_have_given_the_dropout_count_away(published_demo: PublishedDemo) -> None:
    """Why: in the internal ledger a dropout list's rows are its pupils, the quarter's combined count."""
    with duckdb.connect(str(internal(published_demo)), read_only=True) as con:
        rows = dict(con.execute("select period_token, rows_loaded from raw.load_ledger"
                                " where file_name like 'school_absence_dropout_%' and status = 'loaded'").fetchall())
    combined = dict(published_demo.query(
        "select period, value from measurements where indicator = 'dropout_liste_elever' and area_key = 'combined'"
        " and value is not null"))
    same = [period for period, count in rows.items() if combined.get(period) == count]
    assert same, "the dropout list's row count is the combined count of pupils"


# --- shares without a base ---------------------------------------------------------------------------------------


def test_unchecked_shares_come_from_the_data_and_the_report_footnotes_them(published_demo: PublishedDemo) -> None:
    """A share published without numerator or denominator cannot be checked for small cells: the published
    unchecked_shares lists exactly those (from measurements), and the board report footnotes their criteria."""
    listed = set(published_demo.query("select source_system, indicator from unchecked_shares"))
    shares_without_base = set(published_demo.query(
        "select distinct source_system, indicator from measurements"
        " where value is not null and unit = 'percent' and (numerator is null or denominator is null)"))
    assert shares_without_base and shares_without_base <= listed
    assert {("bl_tables", "andel_18_29_af_uden_beskaeftigelse"), ("dst_noegletal", "andel_ikke_vestlige"),
            ("own_registrations", "komm_viceværter_kursus_pct")} <= listed
    checked = {("bl_tables", "andel_grundskole_18_29"), ("local_substance_survey", "hash_debut_pct"),
               ("school_absence", "skolefravaer_pct"), ("bl_tables", "beboere")}
    assert not checked & listed  # delivered with their counts, or a count itself
    footnoted = {c for (c,) in published_demo.query(
        "select distinct criterion_id from unchecked_shares where criterion_id is not null")}
    html = (published_demo.warehouse.parent / "reports" / "kpi_rapport.html").read_text(encoding="utf-8")
    articles = {part.split('"', 1)[0]: part for part in html.split('<article class="criterion" id="')[1:]}
    assert footnoted and footnoted <= set(articles)
    assert {c for c, article in articles.items() if UNCHECKED_NOTE_DA in article} == footnoted
