"""The person-level criteria on the demo (the shared `published_demo` run of the sample deliveries)."""

from __future__ import annotations

import pytest

from tests.conftest import run_kpi

PERSON_SOURCES = ("kmd_opera", "novax", "school_absence", "school_readiness", "uu_registration", "questionnaire")


SOURCES_SQL = ", ".join(f"'{s}'" for s in PERSON_SOURCES)


def test_every_period_the_sample_covers_has_a_value(published_demo) -> None:
    missing = published_demo.query(
        "select criterion_id, area_key, period from kpi_status join criteria using (criterion_id)"
        f" where criteria.source_system in ({SOURCES_SQL}) and status in ('missing_data', 'missing_baseline')")
    assert missing == []


def test_every_person_level_criterion_is_judged_in_some_period(published_demo) -> None:
    without = published_demo.query(
        f"select criterion_id from criteria where source_system in ({SOURCES_SQL})"
        " except select criterion_id from kpi_status where status in ('met', 'not_met', 'on_track', 'off_track')")
    assert without == []


@pytest.mark.parametrize(("criterion_id", "period", "start", "end"), [
    ("sub_ub_school_absence", "2018/19", "2018-08-01", "2019-07-31"),
    ("act_brobyg_dropout_list_minus30", "2019Q4", "2019-10-01", "2019-12-31"),
    ("act_sundhedspleje_count_0_year_olds", "2019", "2019-01-01", "2019-12-31"),
    ("strat_ub_fewer_benefit_recipients", "2019", "2019-01-01", "2019-12-31"),
])
def test_each_grain_is_in_kpi_status_with_its_dates(published_demo, criterion_id, period, start, end) -> None:
    rows = published_demo.query("select distinct period_start::varchar, period_end::varchar from kpi_status"
                                " where criterion_id = ? and period = ?", [criterion_id, period])
    assert rows == [(start, end)]


def test_kpi_criteria_explains_a_birth_cohort_criterion(published_demo) -> None:
    done = run_kpi("criteria", "act_sundhedspleje_count_0_year_olds", "--warehouse", str(published_demo.warehouse))
    assert done.returncode == 0, done.stdout + done.stderr
    text = " ".join(done.stdout.split())
    assert "Vurderes pr. fødselsårgang" in text and "i årgang 2019; mål: over 0 – opfyldt." in text
