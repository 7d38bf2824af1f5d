"""The benchmark's pieces without a nightly: the run marks, the goals judged on a result, (h)'s drops and polls."""

from __future__ import annotations

import logging
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.deliveries import quarters_after_sample, write_corrected_vandalism, write_dropout_list
from bench.goals import data_slope, data_stage_seconds, goals, goals_table
from bench.watch_latency import DropTiming, nearest_rank, run_in_progress, summary
from pipelines import timings
from pipelines.operate.lock import RunLock
from pipelines.timings import MARK_PREFIX, TIMINGS_PREFIX, log_totals, mark, parse_timings, timed
from tests.parser_helpers import parse


def test_marks_are_logged_as_they_happen_and_again_in_the_timings_line(caplog) -> None:
    with caplog.at_level(logging.INFO, logger="pipelines.timings"):
        with timed("dbt"):
            pass
        published = mark("published")
        totals = log_totals(**{"start-up": 1.5})
    lines = [record.getMessage() for record in caplog.records]
    assert lines[0].startswith(MARK_PREFIX) and lines[1].startswith(TIMINGS_PREFIX)
    assert 0 < published < 3600  # seconds since this test process started
    assert totals["published"] == published and totals["start-up"] == 1.5 and "dbt" in totals
    assert parse_timings("\n".join(lines)) == totals
    assert parse_timings("\n".join(lines[:1])) == {"published": published}  # a run that ended before its totals
    assert log_totals() == {}  # the marks start over with the totals


def test_parse_timings_keeps_the_last_runs_line() -> None:
    text = "\n".join([
        f"x {MARK_PREFIX}" + '{"published": 9.0}', f"x {TIMINGS_PREFIX}" + '{"dbt": 1.0, "published": 9.0}',
        f"x {MARK_PREFIX}" + '{"published": 4.0}', f"x {MARK_PREFIX}" + '{"report_done": 6.0}',
        f"x {TIMINGS_PREFIX}" + '{"dbt": 2.0, "published": 4.0, "report_done": 6.0}', "trailing"])
    assert parse_timings(text) == {"dbt": 2.0, "published": 4.0, "report_done": 6.0}
    assert parse_timings("nothing here") == {}


def _run(published: float | None, wall: float, **stages: float) -> dict:
    return {"published_s": published, "wall_s": wall, "peak_rss_mib": 900.0, "stages": stages}


def _scale(raw_floor: float, full_published: float, data_stages: float) -> dict:
    return {"a_raw_floor_s": raw_floor, "b_full": _run(full_published, full_published + 15, parse=data_stages),
            "c_nothing_new": _run(4.0, 5.0), "c_next_day": _run(7.0, 8.0), "d_new_quarter": _run(5.0, 20.0),
            "e_orchestration_floor": _run(None, 4.0), "f_c_running_server": _run(3.0, 3.5),
            "f_c_next_day_running_server": _run(3.0, 4.0), "f_e_running_server": _run(None, 2.5),
            "g_evaluator": {"p95_ms": 3.0},
            "h_watch": {"temporary_server": {"aggregate": summary([DropTiming("a", 8.0, 9.0, "loaded")] * 5),
                                             "person": summary([DropTiming("p", 25.0, 45.0, "loaded")] * 5)}}}


def test_goals_are_judged_on_time_to_published_with_wall_time_beside() -> None:
    scales = {"programme": _scale(0.5, 30.0, 10.0), "municipal": _scale(1.5, 40.0, 12.5)}
    judged = {goal.name: goal for goal in goals(scales)}
    next_day = judged["c′ (nothing new, next day) / e, municipal, temporary server"]
    assert (next_day.measured, next_day.met) == ("1,75 (wall 2,00)", False)
    assert judged["c (nothing new, same day) / e, municipal, running server"].met is True  # 3,0 / 2,5 = 1,2
    d_c = judged["d (one new quarter) / c, municipal, temporary server"]
    assert (d_c.measured, d_c.met) == ("1,25 (wall 4,00)", True)  # judged on published, not on wall
    assert data_slope(scales) == {"stages": 2.5, "wall": 10.0, "published": 10.0, "raw_floor_delta_s": 1.0}
    [slope] = [goal for name, goal in judged.items() if name.startswith("data slope")]
    assert slope.met is True and slope.measured.startswith("2,50 (wall 10,00")
    assert judged["b (full build from empty), municipal"].met is True
    assert judged["peak RSS, municipal"].met is True
    aggregate, person = (judged[f"(h) kpi watch, drop → published, {kind}, municipal, temporary server: median"]
                         for kind in ("a new aggregate file", "a new person-level quarter"))
    assert (aggregate.met, person.met) == (True, False)
    assert judged["(h) the report after publication, a new person-level quarter, municipal, temporary server: "
                  "median"].met is False  # 20 s after publication
    assert judged["(h) kpi watch, drop → published, a new aggregate file, municipal, running server: median"
                  ].met is None  # that mode was not measured


def test_the_data_slope_takes_the_median_of_each_b_runs_data_stages() -> None:
    """One b run's validate swings by seconds with the other core's load; the slope divides by ~1 s of floor."""
    low, high = _scale(0.5, 30.0, 10.0), _scale(1.5, 40.0, 99.0)  # the kept run: an outlier
    high["b_full"]["stages_all"] = [{"parse": 1.0, "validate": 9.0, "dbt": 2.5, "report": 50.0},
                                    {"parse": 99.0}, {"validate": 12.0, "load": 0.4}]  # sums 12.5, 99, 12.4
    assert data_slope({"programme": low, "municipal": high})["stages"] == 2.5  # (12,5 − 10) / 1
    assert data_stage_seconds({"stages": {"dbt": 3.0, "publish": 9.0}}) == 3.0  # no stages_all: the kept run


def test_goals_of_a_scale_not_run_are_not_judged() -> None:
    table = goals_table({"demo": _scale(0.4, 30.0, 10.0)})
    assert table[0] == "| goal | limit | measured | met |"
    municipal = [row for row in table if "municipal" in row]
    assert municipal and all(row.endswith("| not judged |") for row in municipal)
    assert any(row.startswith("| c′ (nothing new, next day) / e, demo, temporary server") for row in table)


def test_an_unpublished_drop_fails_its_goal() -> None:
    measured = summary([DropTiming("a", 5.0, 6.0, "loaded"), DropTiming("b", status="rejected")])
    scales = {"municipal": {**_scale(1.5, 40.0, 12.5), "h_watch": {"temporary_server": {"aggregate": measured}}}}
    [goal] = [g for g in goals(scales) if g.name.startswith("(h) kpi watch, drop → published, a new aggregate "
                                                            "file, municipal, temporary")]
    assert goal.met is False and "1/2 drops published" in goal.measured


@given(st.lists(st.floats(min_value=0, max_value=1e4, allow_nan=False), min_size=1, max_size=40),
       st.sampled_from([0.5, 0.95]))
def test_nearest_rank_is_a_value_with_at_least_its_share_at_or_below(values: list[float], share: float) -> None:
    rank = nearest_rank(values, share)
    assert rank in values
    assert sum(value <= rank for value in values) >= math.ceil(share * len(values))
    assert sum(value < rank for value in values) < math.ceil(share * len(values))


def test_corrected_vandalism_files_load_as_new_deliveries_of_the_same_year(tmp_path: Path) -> None:
    from pipelines.flows.delivery_step import parse_context
    from tests.conftest import REFERENCE_DIR

    files = [write_corrected_vandalism(tmp_path, index) for index in range(3)]
    assert [f.name for f in files] == [f"police_haervaerk_2025_202606{day}.csv" for day in (12, 13, 14)]
    assert len({f.read_bytes() for f in files}) == 3  # each a new content (sha256), none a duplicate
    context = parse_context(REFERENCE_DIR)
    ringparken = [parse("police_haervaerk", f, context).frame.filter(area_key="ringparken")["value"].to_list()
                  for f in files]
    assert ringparken == [[20.0], [19.0], [18.0]]  # the sample's 21, corrected down


def test_the_dropout_quarters_follow_the_sample(tmp_path: Path) -> None:
    assert quarters_after_sample(5) == [(2025, 4), (2026, 1), (2026, 2), (2026, 3), (2026, 4)]
    written = write_dropout_list(tmp_path, 2026, 4, 1)
    assert written.name == "school_absence_dropout_2026Q4_20270115.csv"
    assert written.read_text(encoding="utf-8").startswith("Kvartal;Elev_CPR;")


def test_a_held_run_lock_is_seen_without_taking_it(tmp_path: Path) -> None:
    published = tmp_path / "kpi.duckdb"
    if not Path("/proc/locks").is_file():
        pytest.skip("no /proc/locks")
    lock = RunLock(published).acquire()
    try:
        assert run_in_progress(published)
    finally:
        lock.release()
    assert not run_in_progress(published)


def test_the_next_drop_waits_for_a_spare_no_run_has_taken(tmp_path) -> None:
    """Each spare rewrites the warm-up log; a drop goes only to a warm spare that no earlier drop's run took."""
    import threading

    from bench.watch_latency import ready_spare, wait_for_a_warm_spare

    log = tmp_path / "watch-spare-warm-up.log"
    log.write_text("importing …\nwarm: ready for a run (pid 11, warm-up 8.0 s)\n", encoding="utf-8")
    taken: set[int] = set()
    wait_for_a_warm_spare(log, taken, timeout=5)
    assert taken == {11}
    log.write_text("importing …\n", encoding="utf-8")  # the next spare starts warming
    assert ready_spare(log) is None
    later = threading.Timer(0.5, lambda: log.write_text("warm: ready for a run (pid 12, warm-up 7.5 s)\n",
                                                        encoding="utf-8"))
    later.start()
    wait_for_a_warm_spare(log, taken, timeout=30)
    assert taken == {11, 12}


def test_a_process_counts_its_age_from_its_own_start_not_a_second_early() -> None:
    """Every mark of a run (start-up, published, report done) is seconds since its process started. Counted from
    psutil's create_time it was up to a second high (the boot time it adds is whole seconds): the bench then saw a
    run publish after its process had exited. Measured around a real child process, its own figure must fit."""
    code = "from pipelines.timings import seconds_since_process_start as age; print(age())"
    before = time.monotonic()
    printed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    wall = time.monotonic() - before
    tick = 1 / os.sysconf("SC_CLK_TCK")  # /proc's start time is whole clock ticks (10 ms): up to one tick high
    assert 0 < float(printed) < wall + tick


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork: POSIX only")
def test_a_forked_child_counts_its_age_from_its_own_start_not_its_parents(monkeypatch) -> None:
    """The start is read once per process; a child forked after the parent read it (multiprocessing's fork) has
    a start of its own and must not count from the parent's."""
    monkeypatch.setattr(timings, "_run_started_at", None)
    parents_age = timings.seconds_since_process_start()  # the parent's start is read (and kept) first
    assert parents_age is not None and parents_age > 0
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report and leave at once, never back into pytest
        try:
            os.write(write_end, repr(timings.seconds_since_process_start()).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as child_output:
        childs_age = float(child_output.read())
    os.waitpid(pid, 0)
    assert 0 <= childs_age < parents_age
