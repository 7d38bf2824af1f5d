"""Evaluation grains (pipelines/periods.py) and the units that use them (pipelines/catalog/targets.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.catalog.load import periods_frame, read_catalog
from pipelines.catalog.targets import evaluation_units
from pipelines.periods import (
    GRAIN_KINDS,
    grain_calendar,
    grain_period,
    grain_period_at,
    grain_period_containing,
    grain_range,
)
from tests.conftest import REFERENCE_DIR


@pytest.mark.parametrize(("kind", "label", "start", "end", "text"), [
    ("year", "2018", date(2018, 1, 1), date(2018, 12, 31), "2018"),
    ("quarter", "2017Q4", date(2017, 10, 1), date(2017, 12, 31), "4. kvartal 2017"),
    ("quarter", "2020Q1", date(2020, 1, 1), date(2020, 3, 31), "1. kvartal 2020"),
    ("school_year", "2018/19", date(2018, 8, 1), date(2019, 7, 31), "skoleåret 2018/19"),
    ("school_year", "1999/00", date(1999, 8, 1), date(2000, 7, 31), "skoleåret 1999/00"),
    ("birth_cohort", "2018", date(2018, 1, 1), date(2018, 12, 31), "årgang 2018"),
])
def test_each_grain_has_its_dates_and_danish_name(kind, label, start, end, text) -> None:
    period = grain_period(kind, label)
    assert (period.kind, period.label, period.start, period.end, period.text_da) == (kind, label, start, end, text)


def test_the_previous_period_is_index_minus_one() -> None:
    assert grain_period_at("quarter", grain_period("quarter", "2018Q1").index - 1).label == "2017Q4"
    assert grain_period_at("school_year", grain_period("school_year", "2018/19").index - 1).label == "2017/18"
    assert [p.label for p in grain_range("quarter", "2017Q4", "2018Q2")] == ["2017Q4", "2018Q1", "2018Q2"]


def test_the_period_containing_a_day() -> None:
    plan_start, plan_end = date(2017, 10, 1), date(2021, 9, 30)
    assert grain_period_containing("school_year", plan_start).label == "2017/18"
    assert grain_period_containing("school_year", date(2018, 7, 31)).label == "2017/18"
    assert grain_period_containing("school_year", date(2018, 8, 1)).label == "2018/19"
    assert grain_period_containing("quarter", plan_end).label == "2021Q3"


@pytest.mark.parametrize(("kind", "label"), [
    ("school_year", "2018/20"), ("school_year", "2018"), ("quarter", "2018Q5"), ("year", "2018/19"),
    ("birth_cohort", "18"), ("month", "2018"),
])
def test_a_label_of_another_grain_is_refused(kind, label) -> None:
    with pytest.raises(ValueError):
        grain_period(kind, label)


@given(st.sampled_from(GRAIN_KINDS), st.integers(min_value=1990 * 4, max_value=2060 * 4))
def test_periods_of_a_grain_tile_time(kind, number) -> None:
    index = number if kind == "quarter" else number // 4
    period, following = grain_period_at(kind, index), grain_period_at(kind, index + 1)
    assert grain_period(kind, period.label) == period
    assert following.start == period.end + timedelta(days=1)
    assert grain_period_containing(kind, period.start) == period == grain_period_containing(kind, period.end)


def test_the_calendar_lists_each_period_once_with_its_previous_label() -> None:
    periods = grain_calendar(2016, 2022)
    assert len({(p.kind, p.label) for p in periods}) == len(periods)
    frame = periods_frame()
    row = frame.filter((frame["period_grain"] == "school_year") & (frame["period"] == "2018/19")).row(0, named=True)
    assert (row["previous_period"], row["period_start"], row["period_da"]) == (
        "2017/18", date(2018, 8, 1), "skoleåret 2018/19")


def test_units_of_the_person_level_criteria_carry_their_grain() -> None:
    units = {(u["criterion_id"], u["area_key"]): u
             for u in evaluation_units(read_catalog(REFERENCE_DIR / "criteria.yaml")).iter_rows(named=True)}
    absence = units[("sub_ub_school_absence", "combined")]
    assert (absence["period_grain"], absence["baseline_period"], absence["last_period"]) == (
        "school_year", "2016/17", "2020/21")
    assert (absence["baseline_index"], absence["last_index"]) == (2016, 2020)
    dropout = units[("act_brobyg_dropout_list_minus30", "combined")]
    assert (dropout["period_grain"], dropout["first_period"], dropout["due_period"], dropout["last_period"]) == (
        "quarter", "2017Q4", "2019Q4", "2021Q3")
    assert dropout["due_index"] - dropout["baseline_index"] == 8  # two years of quarters
    cohort = units[("act_sundhedspleje_extra_visit_18m_share", "combined")]
    assert (cohort["period_grain"], cohort["first_period"], cohort["last_period"], cohort["publication_lag_months"]) \
        == ("birth_cohort", "2018", "2021", 21)
    crime = units[("sub_kp_crime_decisions_per_1000", "combined_mean")]
    assert (crime["period_grain"], crime["baseline_index"], crime["due_index"]) == ("year", 2015, 2020)
