"""The issue's goals judged on one benchmark result (bench/run.py), as rows for the results and the README.

Runs b, c, c′ and d are judged on their time to *published* (the nightly's `published` mark, seconds since
its process started); their wall time (to process exit, the report included) is shown beside it. The
orchestration floor e has no such mark: its wall time is the denominator. Goals stated for municipal scale
are "not judged" in a result without that scale.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

JUDGED_SCALE = "municipal"
RATIO_LIMIT = 1.5
SLOPE_LIMIT = 3.0
FULL_BUILD_LIMIT_S = 45.0
RSS_LIMIT_MIB = 2048.0
EVALUATOR_P95_LIMIT_MS = 1000.0
DROP_LIMITS_S = {"aggregate": 10.0, "person": 20.0}
REPORT_AFTER_LIMIT_S = 15.0
DATA_STAGES = ("parse", "validate", "load", "dbt")
MEASURED_RUNS = ("b_full", "c_nothing_new", "c_next_day", "d_new_quarter")
SERVER_MODES = {"temporary_server": "temporary server", "running_server": "running server"}
DROP_KINDS = {"aggregate": "a new aggregate file", "person": "a new person-level quarter"}


@dataclass(frozen=True)
class Goal:
    name: str
    limit: str
    measured: str  # the judged figure first; the other in parentheses
    met: bool | None  # None: not judged (a scale or mode that was not run)


def number(value: float | None, decimals: int = 2) -> str:
    """Danish decimal comma, as the README writes figures."""
    return "–" if value is None else f"{value:.{decimals}f}".replace(".", ",")


def to_published(run: dict) -> float | None:
    """A run's time to published (the mark), or None for a run that did not reach it."""
    value = run.get("published_s")
    return float(value) if value is not None else None


def ratio(top: float | None, bottom: float | None) -> float | None:
    return round(top / bottom, 2) if top is not None and bottom else None


def ratio_goal(name: str, top: dict | None, bottom: dict | None, bottom_on_wall: bool = False) -> Goal:
    """top / bottom ≤ RATIO_LIMIT on time to published; the same on wall time in parentheses."""
    if top is None or bottom is None:
        return Goal(name, f"≤ {number(RATIO_LIMIT, 1)}", "not run", None)
    published = ratio(to_published(top), bottom["wall_s"] if bottom_on_wall else to_published(bottom))
    wall = ratio(top["wall_s"], bottom["wall_s"])
    return Goal(name, f"≤ {number(RATIO_LIMIT, 1)}", f"{number(published)} (wall {number(wall)})",
                None if published is None else published <= RATIO_LIMIT)


def _modes(scale: dict) -> dict[str, tuple[str, str, str]]:
    """Server mode → the keys of c, c′ and e measured in it."""
    modes = {"temporary_server": ("c_nothing_new", "c_next_day", "e_orchestration_floor")}
    if "f_e_running_server" in scale:
        modes["running_server"] = ("f_c_running_server", "f_c_next_day_running_server", "f_e_running_server")
    return modes


def nothing_new_goals(scales: dict[str, dict]) -> list[Goal]:
    goals = []
    for label, pick in (("c′ (nothing new, next day) / e", 1), ("c (nothing new, same day) / e", 0)):
        for name, scale in scales.items():
            for mode, keys in _modes(scale).items():
                goals.append(ratio_goal(f"{label}, {name}, {SERVER_MODES[mode]}", scale.get(keys[pick]),
                                        scale.get(keys[2]), bottom_on_wall=True))
    return goals


def stage_sum(stages: dict[str, float]) -> float:
    return sum(stages.get(stage, 0.0) for stage in DATA_STAGES)


def data_stage_seconds(run: dict) -> float:
    """The data-driven stages of a repeated run: the median over its runs of each run's sum (`stages_all`; one
    run's stages swing by seconds with what the other core does), else the kept run's."""
    return statistics.median(stage_sum(stages) for stages in run.get("stages_all") or [run["stages"]])


def data_slope(scales: dict[str, dict]) -> dict[str, float | None]:
    """(b_municipal − b_programme) / (a_municipal − a_programme), from the data-driven stages (the median of the
    b runs' sums) and from the kept run's wall time and time to published; a is the median of its readings."""
    if not {"programme", JUDGED_SCALE} <= set(scales):
        return {}
    low, high = scales["programme"], scales[JUDGED_SCALE]
    floor = high["a_raw_floor_s"] - low["a_raw_floor_s"]
    if floor <= 0:
        return {"stages": None, "wall": None, "published": None, "raw_floor_delta_s": round(floor, 2)}
    published = [to_published(scale["b_full"]) for scale in (low, high)]
    return {"stages": round((data_stage_seconds(high["b_full"]) - data_stage_seconds(low["b_full"])) / floor, 2),
            "wall": round((high["b_full"]["wall_s"] - low["b_full"]["wall_s"]) / floor, 2),
            "published": round((published[1] - published[0]) / floor, 2) if None not in published else None,
            "raw_floor_delta_s": round(floor, 2)}


def slope_goal(scales: dict[str, dict]) -> Goal:
    name = f"data slope programme → {JUDGED_SCALE}, stages {' + '.join(DATA_STAGES)} of b / (a_mun − a_prog)"
    slope = data_slope(scales)
    if not slope:
        return Goal(name, f"≤ {number(SLOPE_LIMIT, 0)}", "not run", None)
    return Goal(name, f"≤ {number(SLOPE_LIMIT, 0)}",
                f"{number(slope['stages'])} (wall {number(slope['wall'])}, to published "
                f"{number(slope['published'])}; a_mun − a_prog {number(slope['raw_floor_delta_s'])} s)",
                None if slope["stages"] is None else slope["stages"] <= SLOPE_LIMIT)


def municipal_goals(scales: dict[str, dict]) -> list[Goal]:
    """d/c, the full build, RSS and the evaluator at municipal scale."""
    scale = scales.get(JUDGED_SCALE)
    d_c = ratio_goal(f"d (one new quarter) / c, {JUDGED_SCALE}, temporary server",
                     scale and scale.get("d_new_quarter"), scale and scale.get("c_nothing_new"))
    if scale is None:
        return [d_c, *(Goal(name, limit, "not run", None) for name, limit in (
            (f"b (full build from empty), {JUDGED_SCALE}", f"≤ {FULL_BUILD_LIMIT_S:.0f} s"),
            (f"peak RSS, {JUDGED_SCALE}", "< 2 GiB"), (f"cookbook queries p95, {JUDGED_SCALE}", "< 1 s")))]
    full = scale["b_full"]
    published = to_published(full)
    rss = max(scale[run]["peak_rss_mib"] for run in MEASURED_RUNS if run in scale)
    p95 = scale["g_evaluator"]["p95_ms"]
    return [
        d_c,
        Goal(f"b (full build from empty), {JUDGED_SCALE}", f"≤ {FULL_BUILD_LIMIT_S:.0f} s",
             f"{number(published, 1)} s (wall {number(full['wall_s'], 1)} s)",
             None if published is None else published <= FULL_BUILD_LIMIT_S),
        Goal(f"peak RSS, {JUDGED_SCALE}", "< 2 GiB", f"{number(rss / 1024, 2)} GiB", rss < RSS_LIMIT_MIB),
        Goal(f"cookbook queries p95, {JUDGED_SCALE}", "< 1 s", f"{number(p95, 0)} ms", p95 < EVALUATOR_P95_LIMIT_MS),
    ]


def watch_goals(scales: dict[str, dict]) -> list[Goal]:
    """(h) at municipal scale, per server mode and kind: the median drop → published, and the report after it."""
    watch = (scales.get(JUDGED_SCALE) or {}).get("h_watch", {})
    goals = []
    for mode, mode_name in SERVER_MODES.items():
        for kind, kind_name in DROP_KINDS.items():
            measured = watch.get(mode, {}).get(kind, {})
            median, p95 = measured.get("median_published_s"), measured.get("p95_published_s")
            limit = DROP_LIMITS_S[kind]
            goals.append(Goal(f"(h) kpi watch, drop → published, {kind_name}, {JUDGED_SCALE}, {mode_name}: median",
                              f"≤ {limit:.0f} s",
                              "not run" if median is None else f"{number(median, 1)} s (p95 {number(p95, 1)} s, "
                              f"{measured['published']}/{len(measured['drops'])} drops published)",
                              None if median is None else median <= limit and _all_published(measured)))
            after = measured.get("median_report_after_s")
            goals.append(Goal(f"(h) the report after publication, {kind_name}, {JUDGED_SCALE}, {mode_name}: median",
                              f"≤ {REPORT_AFTER_LIMIT_S:.0f} s more",
                              "not run" if after is None else f"{number(after, 1)} s "
                              f"(p95 {number(measured['p95_report_after_s'], 1)} s)",
                              None if after is None else after <= REPORT_AFTER_LIMIT_S))
    return goals


def _all_published(measured: dict) -> bool:
    return measured["published"] == len(measured["drops"])


def goals(scales: dict[str, dict]) -> list[Goal]:
    d_c, *municipal = municipal_goals(scales)
    return [*nothing_new_goals(scales), d_c, slope_goal(scales), *municipal, *watch_goals(scales)]


def met_text(met: bool | None) -> str:
    return {True: "yes", False: "no", None: "not judged"}[met]


def goals_table(scales: dict[str, dict]) -> list[str]:
    """The README's speed table: goal, limit, measured, met."""
    rows = ["| goal | limit | measured | met |", "|---|---|---|---|"]
    rows += [f"| {g.name} | {g.limit} | {g.measured} | {met_text(g.met)} |" for g in goals(scales)]
    return rows
