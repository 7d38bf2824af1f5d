"""Normalise each criterion's `target_rule` into evaluation units: one row per criterion × area key.

criteria.yaml writes rules flat (`{kind, op, value, …}`) or nested by scope (`combined`,
`all_areas`, `per_area: {area: rule}`), and some refer to another entry (`same_as`). readings.yaml
(keyed by canonical_id) then applies the project's readings: the indicator, how `combined` is formed,
rule overrides, the baseline and first evaluated period, a comparator area as the threshold, a second
phase after the due period (`then`), a running-mean aggregation and the grain (`pipelines/periods.py`: calendar
year, quarter, school year or birth cohort) with the publication lag of its measure. Every entry sharing a canonical_id
gets the same parameters, so the value is computed the same way under every id. The units table
carries every parameter the dbt rule macros need, so SQL never branches on a criterion id.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl

from pipelines.catalog.plan import criterion_areas, plan_bounds
from pipelines.periods import grain_period, grain_period_containing

if TYPE_CHECKING:
    from pipelines.catalog.load import Catalog

SCOPE_KEYS = ("combined", "all_areas", "per_area")
AGGREGATE_AREA_KEYS = ("combined", "combined_mean")
DEFAULT_OP = {"at_most": "<=", "at_least": ">=", "decrease": "<", "increase": ">"}
# Rule parameters a reading may override (readings.yaml → rule / per_area).
RULE_OVERRIDES = ("kind", "op", "value", "value_upper", "pct", "by_year", "direction", "baseline_year")
UNIT_SCHEMA = {
    "criterion_id": pl.Utf8, "canonical_id": pl.Utf8, "plan_period": pl.Utf8, "area_key": pl.Utf8,
    "source_system": pl.Utf8, "indicator": pl.Utf8, "combine": pl.Utf8, "kind": pl.Utf8, "op": pl.Utf8,
    "threshold": pl.Float64, "threshold_upper": pl.Float64, "pct": pl.Float64, "direction": pl.Utf8,
    "baseline_period": pl.Utf8, "first_period": pl.Utf8, "due_period": pl.Utf8, "last_period": pl.Utf8,
    "period_grain": pl.Utf8, "reading_da": pl.Utf8, "verdicts_from": pl.Utf8,
    "threshold_area": pl.Utf8, "first_evaluated_period": pl.Utf8, "aggregation": pl.Utf8,
    "then_kind": pl.Utf8, "then_op": pl.Utf8, "then_pct": pl.Float64,
    "first_index": pl.Int64, "last_index": pl.Int64, "baseline_index": pl.Int64, "due_index": pl.Int64,
    "first_evaluated_index": pl.Int64, "publication_lag_months": pl.Int64,
}


def resolve_rule(criterion: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> dict[str, Any]:
    rule = dict(criterion.get("target_rule") or {})
    seen = {criterion["id"]}
    while (ref := rule.get("same_as")) and ref in by_id and ref not in seen:
        seen.add(ref)
        rule = dict(by_id[ref].get("target_rule") or {})
    return rule


def _stricter(rules: list[dict[str, Any]]) -> dict[str, Any]:
    with_values = [r for r in rules if r.get("value") is not None]
    if len(with_values) < 2:
        return rules[0]
    lower_is_stricter = with_values[0].get("op", "<").startswith("<")
    return (min if lower_is_stricter else max)(with_values, key=lambda r: r["value"])


def rule_for_area(rule: dict[str, Any], area_key: str, reading: dict[str, Any]) -> dict[str, Any]:
    """The catalog rule for one area key, with the reading's overrides (all areas, then per area) on top."""
    base = {k: v for k, v in rule.items() if k not in SCOPE_KEYS}
    if area_key in AGGREGATE_AREA_KEYS and isinstance(rule.get("combined"), dict):
        chosen = {**base, **rule["combined"]}
    else:
        candidates = [r for r in ((rule.get("per_area") or {}).get(area_key), rule.get("all_areas"))
                      if isinstance(r, dict)]
        if not candidates:
            chosen = base
        else:
            picked = _stricter(candidates) if reading.get("area_caps") == "stricter" else candidates[0]
            chosen = {**base, **picked}
    overrides = {k: v for k, v in (reading.get("rule") or {}).items() if k in RULE_OVERRIDES}
    area_overrides = {k: v for k, v in ((reading.get("per_area") or {}).get(area_key) or {}).items()}
    return {**chosen, **overrides, **area_overrides}


def unit_area_keys(criterion: dict[str, Any], areas: list[str]) -> list[str]:
    if criterion.get("areas") == ["combined"]:
        return ["combined"]
    granularity = criterion.get("granularity")
    if granularity == "combined":
        return ["combined"]
    if granularity == "both":
        return [*areas, *AGGREGATE_AREA_KEYS]
    return areas


def _year(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, int):
        return value
    return date.fromisoformat(str(value)).year


def _baseline_year(baselines: list[dict[str, Any]], rule: dict[str, Any], area_key: str) -> int | None:
    if rule.get("baseline_year"):
        return int(rule["baseline_year"])
    for b in baselines:
        if not b.get("role") and b.get("year") and b.get("area") in (area_key, "all_areas", "all_areas_and_combined"):
            return int(b["year"])
    if rule.get("from_year"):
        return int(rule["from_year"])
    if isinstance(rule.get("baseline"), dict) and rule["baseline"].get("year"):
        return int(rule["baseline"]["year"])
    return _year(rule.get("baseline_date"))


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _period_index(grain: str, label: Any) -> int | None:
    return None if label is None else grain_period(grain, label).index


def _grain_bounds(grain: str, area_rule: dict[str, Any], reading: dict[str, Any], baselines: list[dict[str, Any]],
                  area_key: str, plan_start: date, plan_end: date) -> tuple[Any, Any, Any, Any]:
    """(baseline, first, due, last) labels of a unit. Calendar years come from the catalog rule and the reading;
    other grains take their labels from the reading, the plan's first and last period by default."""
    if grain == "year":
        due = _year(area_rule.get("by_year") or area_rule.get("date") or area_rule.get("by_date"))
        if due is not None and reading.get("year_label") == "publication":
            due -= 1
        due = reading.get("due_period", due)
        baseline = reading.get("baseline_period") or _baseline_year(baselines, area_rule, area_key)
        first = reading.get("first_period") or (baseline if baseline is not None else plan_start.year)
        last = reading.get("last_period") or (due if due is not None and not reading.get("then") else plan_end.year)
        return baseline, first, due, last
    due = reading.get("due_period")
    baseline = reading.get("baseline_period")
    first = reading.get("first_period") or baseline or grain_period_containing(grain, plan_start).label
    last = reading.get("last_period") or (due if due is not None and not reading.get("then")
                                          else grain_period_containing(grain, plan_end).label)
    return baseline, first, due, last


def unit_row(criterion: dict[str, Any], area_key: str, rule: dict[str, Any], reading: dict[str, Any],
             baselines: list[dict[str, Any]]) -> dict[str, Any]:
    """One evaluation unit: the resolved rule of one criterion for one area key."""
    plan_start, plan_end = plan_bounds(criterion["plan_period"])
    area_rule = rule_for_area(rule, area_key, reading)
    direction = area_rule.get("direction") or criterion.get("direction")
    grain = reading.get("grain", "year")
    baseline, first, due, last = _grain_bounds(grain, area_rule, reading, baselines, area_key, plan_start, plan_end)
    first_evaluated = reading.get("first_evaluated_period")
    then = reading.get("then") or {}
    indicator = reading.get("indicator") or {}
    return {
        "criterion_id": criterion["id"],
        "canonical_id": criterion["canonical_id"],
        "plan_period": criterion["plan_period"],
        "area_key": area_key,
        "source_system": indicator.get("source_system", criterion["source_system"]),
        "indicator": indicator.get("indicator"),
        "combine": reading.get("combine", "pooled"),
        "kind": area_rule.get("kind", "qualitative"),
        "op": area_rule.get("op") or DEFAULT_OP.get(direction or ""),
        "threshold": _float(area_rule.get("value")),
        "threshold_upper": _float(area_rule.get("value_upper")),
        "pct": _float(area_rule.get("pct")),
        "direction": direction,
        "baseline_period": _str(baseline),
        "first_period": str(first),
        "due_period": _str(due),
        "last_period": str(last),
        "period_grain": grain,
        "reading_da": reading.get("reason_da"),
        "verdicts_from": reading.get("verdicts_from"),
        "threshold_area": area_rule.get("threshold_area") or reading.get("threshold_area"),
        "first_evaluated_period": _str(first_evaluated),
        "aggregation": reading.get("aggregation", "value"),
        "then_kind": then.get("kind"),
        "then_op": then.get("op"),
        "then_pct": _float(then.get("pct")),
        "first_index": _period_index(grain, first),
        "last_index": _period_index(grain, last),
        "baseline_index": _period_index(grain, baseline),
        "due_index": _period_index(grain, due),
        "first_evaluated_index": _period_index(grain, first_evaluated),
        "publication_lag_months": reading.get("publication_lag_months"),
    }


def evaluation_units(catalog: Catalog) -> pl.DataFrame:
    by_id = catalog.by_id
    rows = []
    for criterion in catalog.criteria:
        if criterion.get("source_system") in (None, "none"):
            continue
        reading = catalog.readings.get(criterion["canonical_id"], {})
        rule = resolve_rule(criterion, by_id)
        baselines = catalog.group_baselines(criterion)
        for area_key in unit_area_keys(criterion, criterion_areas(catalog, criterion)):
            rows.append(unit_row(criterion, area_key, rule, reading, baselines))
    return pl.DataFrame(rows, schema=UNIT_SCHEMA)


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
