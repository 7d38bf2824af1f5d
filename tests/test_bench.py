"""The benchmark at demo scale: every measurement is there, with numbers of the right kind (not the times)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.run import main


@pytest.mark.e2e
def test_the_benchmark_writes_its_results_at_demo_scale(tmp_path: Path) -> None:
    assert main(["--scales", "demo=1", "--work", str(tmp_path / "work"), "--out", str(tmp_path / "results"),
                 "--no-server", "--repeats", "1"]) == 0
    [result_file] = (tmp_path / "results").glob("*.json")
    result = json.loads(result_file.read_text(encoding="utf-8"))
    assert result["machine"]["cores"] >= 1 and "prefect" in result["versions"]
    demo = result["scales"]["demo"]
    assert demo["a_raw_floor_s"] > 0 and demo["csv_rows"] > 1000
    for run in ("b_full", "c_nothing_new", "d_new_quarter", "e_orchestration_floor"):
        assert demo[run]["returncode"] == 0, run
        assert demo[run]["wall_s"] > 0 and demo[run]["peak_rss_mib"] > 50
        assert demo[run]["walls_s"] == [demo[run]["wall_s"]]  # one run each with --repeats 1
    for run in ("b_full", "c_nothing_new", "d_new_quarter"):
        assert {"start-up", "prepare", "publish"} <= set(demo[run]["stages"]), run  # read from the run's own log
    assert {"parse", "validate", "load", "dbt", "publish", "start-up"} <= set(demo["b_full"]["stages"])
    assert demo["c_nothing_new"]["stages"].get("parse", 0) == 0  # nothing new: nothing parsed
    assert "dbt" not in demo["c_nothing_new"]["stages"]  # ... and no build
    assert demo["d_new_quarter"]["stages"]["parse"] > 0 and demo["d_new_quarter"]["stages"]["dbt"] > 0
    assert demo["g_evaluator"]["queries"] == 10 and 0 < demo["g_evaluator"]["median_ms"] <= demo["g_evaluator"][
        "p95_ms"]
    assert {"c/e demo", "d/c demo"} <= set(result["ratios"])
    assert (tmp_path / "results" / (result_file.stem + ".md")).read_text(encoding="utf-8").startswith("# Benchmark")
