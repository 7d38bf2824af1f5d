"""The criteria engine: catalog → evaluation units (targets.py) and the dbt rule macros, rendered with
Jinja exactly as dbt renders them and run in DuckDB on hand-built evaluation rows (no dbt run needed)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from jinja2 import Environment

from pipelines.catalog.load import read_catalog
from pipelines.catalog.targets import evaluation_units

ROOT = Path(__file__).resolve().parents[1]
MACROS = [*sorted((ROOT / "dbt_project/macros/rules").glob("*.sql")), ROOT / "dbt_project/macros/format_da.sql"]
GRID_COLUMNS = {
    "period": "varchar", "period_index": "integer", "period_end": "date", "as_of": "date",
    "is_published": "boolean", "is_stale": "boolean", "kind": "varchar", "op": "varchar", "pct": "double",
    "threshold": "double", "value": "double", "previous_value": "double", "suppressed": "boolean",
    "baseline_value": "double", "baseline_index": "integer", "due_index": "integer", "last_index": "integer",
    "assessment": "varchar", "needs_reading_da": "varchar",
}


@pytest.fixture(scope="module")
def units():
    return evaluation_units(read_catalog(ROOT / "sources/reference/criteria.yaml"))


def unit(units, criterion_id: str, area_key: str) -> dict:
    return units.filter((units["criterion_id"] == criterion_id) & (units["area_key"] == area_key)).row(0, named=True)


def status_sql() -> str:
    source = "\n".join(path.read_text(encoding="utf-8") for path in MACROS)
    template = source + "\nselect e.*, {{ kpi_status('e') }} as status from (select g.*, {{ expected_value('g') }}" \
        " as expected_value from grid as g) as e order by period"
    return Environment().from_string(template).render()


def evaluate(rows: list[dict]) -> list[tuple[str, str, float | None]]:
    """(period, status, expected_value) for evaluation rows; unset columns default like the grid's."""
    con = duckdb.connect()
    con.execute("create table grid (" + ", ".join(f"{c} {t}" for c, t in GRID_COLUMNS.items()) + ")")
    for row in rows:
        period = int(row["period"])
        full = {"period_index": period, "period_end": f"{period}-12-31", "as_of": "2026-11-23",
                "is_published": True, "is_stale": False, "suppressed": False, **row}
        con.execute(f"insert into grid by name select {', '.join('? as ' + c for c in full)}", list(full.values()))
    return [(r[0], r[1], r[2]) for r in con.execute(
        f"select period, status, expected_value from ({status_sql()})").fetchall()]


def unit_rows(u: dict, series: dict[int, float | None], **extra) -> list[dict]:
    """Evaluation rows for a unit: the grid's previous value is the value of the period before."""
    rows = []
    for period, value in series.items():
        rows.append({
            "period": str(period), "kind": u["kind"], "op": u["op"], "pct": u["pct"], "threshold": u["threshold"],
            "value": value, "previous_value": series.get(period - 1),
            "baseline_index": int(u["baseline_period"]) if u["baseline_period"] else None,
            "due_index": int(u["due_period"]) if u["due_period"] else None,
            "last_index": int(u["last_period"]), **extra,
        })
    return rows


def test_tryghed_units_use_the_fixed_threshold(units):
    for area in ("ringparken", "motalavej"):
        u = unit(units, "strat_tt_tryghed_general", area)
        assert (u["kind"], u["op"], u["threshold"], u["due_period"], u["baseline_period"]) == \
            ("absolute_threshold", ">", 72.4, "2021", "2016")
        assert u["indicator"] == "grundlaeggende_tryghed"
    sydbyen = unit(units, "strat_tt_tryghed_general", "sydbyen")
    assert (sydbyen["kind"], sydbyen["op"], sydbyen["baseline_period"]) == ("change_vs_baseline", ">", "2017")


@pytest.mark.parametrize(("area", "value"), [("ringparken", 72.0), ("motalavej", 58.3)])
def test_tryghed_2016_below_72_4_is_not_met(units, area, value):
    u = unit(units, "strat_tt_tryghed_general", area)
    rows = unit_rows(u, {2016: value}, baseline_value=value)
    assert evaluate(rows) == [("2016", "not_met", 72.4)]


def test_tryghed_before_2021_is_judged_on_the_straight_line(units):
    u = unit(units, "strat_tt_tryghed_general", "ringparken")
    # line from 72 (2016) to 72,4 (2021): 72,16 in 2018; non-strict on the line, strict '>' in 2021.
    result = evaluate(unit_rows(u, {2018: 72.16, 2019: 72.0, 2021: 72.4}, baseline_value=72.0))
    assert [(p, s) for p, s, _ in result] == [("2018", "on_track"), ("2019", "off_track"), ("2021", "not_met")]
    assert result[0][2] == pytest.approx(72.16)


def test_haervaerk_minus_15_chained_on_a_hand_computed_series(units):
    u = unit(units, "strat_tt_haervaerk_reports_yearly_minus15", "motalavej")
    assert (u["pct"], u["op"], u["baseline_period"], u["first_evaluated_period"]) == (-15.0, "<=", "2017", "2018")
    series = {2017: 40.0, 2018: 34.0, 2019: 29.0, 2020: 24.0, 2021: 21.0}
    result = evaluate(unit_rows(u, series)[1:])
    # 2018: 34 <= 40·0,85 = 34 (exactly on the line) met; 2019: 29 > 28,9 not met; 2020: 24 <= 24,65 met;
    # 2021: 21 > 20,4 not met.
    statuses = [(p, s) for p, s, _ in result]
    assert statuses == [("2018", "met"), ("2019", "not_met"), ("2020", "met"), ("2021", "not_met")]
    assert [round(e, 2) for _, _, e in result] == [34.0, 28.9, 24.65, 20.4]


def test_chained_previous_zero_is_met_only_by_zero(units):
    u = unit(units, "strat_kp_arson_yearly_minus10", "combined")
    result = evaluate(unit_rows(u, {2017: 0.0, 2018: 0.0, 2019: 1.0})[1:])
    assert [(p, s) for p, s, _ in result] == [("2018", "met"), ("2019", "not_met")]


def test_chained_without_previous_is_missing_baseline(units):
    u = unit(units, "strat_tt_haervaerk_reports_yearly_minus15", "ringparken")
    assert evaluate(unit_rows(u, {2018: 30.0}))[0][1] == "missing_baseline"


def test_suppressed_not_due_and_missing(units):
    u = unit(units, "strat_tt_fraflytning_yearly_minus10", "combined")
    rows = unit_rows(u, {2018: None, 2019: None, 2026: None})
    rows[0]["suppressed"] = True
    assert [s for _, s, _ in evaluate(rows)] == ["suppressed", "missing_data", "not_due"]


def test_a_figure_no_delivery_can_give_needs_a_reading_until_one_is_delivered(units):
    u = unit(units, "strat_tt_delmaal_1_naboskab_tryghed", "combined")
    why = "kilden leverer et indeks pr. område"
    rows = unit_rows(u, {2018: None, 2019: 75.0, 2026: None}, needs_reading_da=why, baseline_value=70.0)
    # no value: the board's; a value the source delivered itself after all: judged; not yet due: not due
    assert [s for _, s, _ in evaluate(rows)] == ["needs_reading", "on_track", "not_due"]
    suppressed = unit_rows(u, {2018: None}, needs_reading_da=why)
    suppressed[0]["suppressed"] = True
    assert evaluate(suppressed)[0][1] == "needs_reading"  # nothing was formed, so nothing is hidden
    verdicts = [{"period": "2019", "kind": "qualitative", "last_index": 2021, "needs_reading_da": why},
                {"period": "2020", "kind": "qualitative", "last_index": 2021, "needs_reading_da": why,
                 "assessment": "Opfyldt: …"},
                {"period": "2021", "kind": "qualitative", "last_index": 2021}]
    assert [s for _, s, _ in evaluate(verdicts)] == ["needs_reading", "qualitative", "missing_data"]


def test_a_reading_names_who_delivers_verdicts(units):
    from pipelines.catalog.load import read_catalog as read

    catalog = read(ROOT / "sources/reference/criteria.yaml")
    catalog.readings["vision_sub_crit_non_western"] = {"verdicts_from": "qualitative_interviews"}
    units_read = evaluation_units(catalog)
    assert unit(units_read, "vision_sub_crit_non_western", "motalavej")["verdicts_from"] == "qualitative_interviews"
    assert unit(units, "vision_sub_crit_non_western", "motalavej")["verdicts_from"] is None


def test_strict_and_non_strict_thresholds(units):
    crime = unit(units, "strat_kp_crime_decisions_per_1000", "motalavej")
    combined = unit(units, "strat_kp_crime_decisions_per_1000", "combined")
    assert (crime["op"], crime["threshold"], combined["op"], combined["threshold"]) == ("<", 28.0, "<=", 20.0)
    assert evaluate(unit_rows(crime, {2020: 28.0}))[0][1] == "not_met"
    assert evaluate(unit_rows(combined, {2020: 20.0}))[0][1] == "met"


def test_comparator_threshold_and_running_mean_units(units):
    partner = unit(units, "partner_tryghed_each_area_at_least_comparable", "sydbyen")
    assert (partner["threshold_area"], partner["op"]) == ("sub_average", ">=")
    rows = unit_rows(partner, {2018: 70.0, 2019: 70.0})
    rows[0]["threshold"], rows[1]["threshold"] = 70.0, None
    assert [s for _, s, _ in evaluate(rows)] == ["met", "missing_baseline"]
    jobs = unit(units, "act_fritidsjob_jobs_per_year", "combined")
    assert (jobs["aggregation"], jobs["due_period"], jobs["threshold"]) == ("running_mean", "2021", 60.0)
    assert [s for _, s, _ in evaluate(unit_rows(jobs, {2019: 61.0, 2020: 59.0, 2021: 60.0}))] == \
        ["on_track", "off_track", "met"]


def test_website_switches_to_plus_8_percent_after_2018(units):
    u = unit(units, "act_komm_website_unique_visitors", "combined")
    assert (u["kind"], u["threshold"], u["due_period"], u["last_period"]) == ("reach_by_date", 10000.0, "2018", "2021")
    assert (u["then_kind"], u["then_op"], u["then_pct"]) == ("yearly_pct_change_vs_previous_year", ">=", 8.0)


def test_every_sourced_criterion_has_units_and_skaelskoer_is_not_in_2021_2025(units):
    catalog = read_catalog(ROOT / "sources/reference/criteria.yaml")
    sourced = {c["id"] for c in catalog.criteria if c.get("source_system") not in (None, "none")}
    assert set(units["criterion_id"]) == sourced
    late = units.filter(units["plan_period"].str.starts_with("2021"))
    assert "skaelskoer" not in set(late["area_key"])
    assert units.select(["criterion_id", "area_key"]).is_duplicated().sum() == 0


def test_entries_sharing_a_canonical_id_get_the_same_parameters(units):
    columns = ["kind", "op", "pct", "threshold", "baseline_period", "first_evaluated_period", "indicator"]
    strat = unit(units, "strat_tt_haervaerk_reports_yearly_minus15", "motalavej")
    sub = unit(units, "sub_tt_haervaerk_yearly_minus15", "combined")
    assert [strat[c] for c in columns] == [sub[c] for c in columns]
