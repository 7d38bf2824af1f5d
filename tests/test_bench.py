"""The benchmark at demo scale: every measurement is there, with numbers of the right kind (not the times)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.run import main


@pytest.mark.slow
@pytest.mark.e2e
def test_the_benchmark_writes_its_results_at_demo_scale(tmp_path: Path) -> None:
    assert main(["--scales", "demo=1", "--work", str(tmp_path / "work"), "--out", str(tmp_path / "results"),
                 "--no-server", "--repeats", "1", "--drops", "1"]) == 0
    [result_file] = (tmp_path / "results").glob("*.json")
    result = json.loads(result_file.read_text(encoding="utf-8"))
    assert result["machine"]["cores"] >= 1 and "prefect" in result["versions"]
    demo = result["scales"]["demo"]
    assert demo["a_raw_floor_s"] > 0 and demo["csv_rows"] > 1000
    assert len(demo["a_raw_floors_s"]) == 3 and sorted(demo["a_raw_floors_s"])[1] == demo["a_raw_floor_s"]
    for run in ("b_full", "c_nothing_new", "c_next_day", "d_new_quarter", "e_orchestration_floor"):
        assert demo[run]["returncode"] == 0, run
        assert demo[run]["wall_s"] > 0 and demo[run]["peak_rss_mib"] > 50
        assert demo[run]["walls_s"] == [demo[run]["wall_s"]]  # one run each with --repeats 1
        assert demo[run]["stages_all"] == [demo[run]["stages"]]
    for run in ("b_full", "c_nothing_new", "c_next_day", "d_new_quarter"):
        assert {"start-up", "prepare", "publish"} <= set(demo[run]["stages"]), run  # read from the run's own log
        published, report, wall = demo[run]["published_s"], demo[run]["report_done_s"], demo[run]["wall_s"]
        assert 0 < demo[run]["stages"]["start-up"] < published <= report < wall, run  # the nightly's marks
    assert {"parse", "validate", "load", "dbt", "publish", "start-up"} <= set(demo["b_full"]["stages"])
    assert demo["c_nothing_new"]["stages"].get("parse", 0) == 0  # nothing new: nothing parsed
    assert "dbt" not in demo["c_nothing_new"]["stages"]  # ... and no build
    assert demo["d_new_quarter"]["stages"]["parse"] > 0 and demo["d_new_quarter"]["stages"]["dbt"] > 0
    assert demo["g_evaluator"]["queries"] == 10 and 0 < demo["g_evaluator"]["median_ms"] <= demo["g_evaluator"][
        "p95_ms"]
    assert "report" in demo["b_full"]["stages"] and "report" not in demo["c_nothing_new"]["stages"]  # report kept
    assert {"c/e demo", "c′/e demo", "d/c demo"} <= set(result["ratios"])
    assert "running_server" not in demo["h_watch"]  # --no-server
    watched = demo["h_watch"]["temporary_server"]
    for kind in ("aggregate", "person"):  # one drop each with --drops 1
        [drop] = watched[kind]["drops"]
        assert drop["status"] == "loaded", (kind, watched["watch_output_tail"])
        assert 0 < drop["published_s"] <= drop["report_s"] and watched[kind]["median_published_s"] == drop[
            "published_s"]
    assert watched["stop"]["exit_code"] == 0 and watched["stop"]["left_processes"] == []  # SIGINT: nothing left
    inbox = tmp_path / "work" / "demo" / "sources" / "inbox"
    assert not [*inbox.rglob("*dropout_2025Q4*"), *inbox.rglob("*_20260612.csv")]  # the drops are removed afterwards
    assert (tmp_path / "results" / (result_file.stem + ".md")).read_text(encoding="utf-8").startswith("# Benchmark")
    readme = (tmp_path / "results" / f"{result_file.stem}-readme.md").read_text(encoding="utf-8")
    assert "| goal | limit | measured | met |" in readme and "| c′ (nothing new, next day) / e, demo" in readme
