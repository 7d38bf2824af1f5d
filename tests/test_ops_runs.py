"""`kpi runs` lists the latest runs in Danish; `kpi cron-line` prints a usable crontab line."""

from __future__ import annotations

import shlex
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.runtime.run_records import LOAD_RUNS_COLUMNS, read_runs
from tests.ops_helpers import record_run


def kpi(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})
    return result.exit_code, result.output


def table_rows(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("│")]


def test_runs_newest_first_with_danish_outcomes_durations_and_counts(tmp_path):
    warehouse = tmp_path / "kpi.duckdb"
    record_run(warehouse, "published", hours_ago=50, minutes=1.5, loaded=20)
    record_run(warehouse, "published_with_rejections", hours_ago=26, minutes=0.75, loaded=2, rejected=1,
               message="1 fil afvist: web_analytics_2025_20260115.csv")
    record_run(warehouse, "failed", hours_ago=2, minutes=3, loaded=0, message="dbt build fejlede")
    record_run(warehouse, "skipped_locked", hours_ago=1, minutes=0, loaded=0)
    code, output = kpi("runs", "--warehouse", str(warehouse))
    assert code == 0, output
    rows = table_rows(output)
    assert len(rows) == 4
    assert "sprunget over" in rows[0]
    assert "fejlet" in rows[1] and "3 min 0 s" in rows[1] and "dbt build fejlede" in rows[1]
    assert "publiceret, filer afvist" in rows[2] and "45 s" in rows[2] and "web_analytics_2025" in rows[2]
    assert [cell.strip() for cell in rows[2].split("│")[4:6]] == ["2", "1"]
    assert "publiceret" in rows[3] and "1 min 30 s" in rows[3]


def test_runs_failed_and_limit(tmp_path):
    warehouse = tmp_path / "kpi.duckdb"
    for hours in (9, 7, 5, 3):
        record_run(warehouse, "failed" if hours in (9, 5) else "published", hours_ago=hours,
                   message=f"kørsel {hours}")
    _, output = kpi("runs", "--warehouse", str(warehouse), "--failed")
    rows = table_rows(output)
    assert [("kørsel 5" in r, "kørsel 9" in r) for r in rows] == [(True, False), (False, True)]
    assert "(2 af 4)" in output
    _, output = kpi("runs", "--warehouse", str(warehouse), "--limit", "1")
    assert len(table_rows(output)) == 1 and "kørsel 3" in output
    code, output = kpi("runs", "--warehouse", str(warehouse), "--limit", "0")
    assert code == 2


def test_runs_falls_back_to_the_published_load_runs_table(tmp_path):
    log_dir, published_dir = tmp_path / "log", tmp_path / "published"
    record_run(log_dir / "kpi.duckdb", "published", hours_ago=4, loaded=7, message="fra tabellen")
    published_dir.mkdir()
    with duckdb.connect(str(published_dir / "kpi.duckdb")) as con:
        con.execute("create table load_runs (run_id varchar, started_at timestamp, finished_at timestamp, "
                    "outcome varchar, files_loaded integer, files_rejected integer, files_duplicate integer, "
                    "message varchar)")
        for run in read_runs(log_dir / "kpi.duckdb"):
            con.execute("insert into load_runs values (?, ?, ?, ?, ?, ?, ?, ?)",
                        [getattr(run, c) for c in LOAD_RUNS_COLUMNS])
    _, output = kpi("runs", "--warehouse", str(published_dir / "kpi.duckdb"))
    assert "fra tabellen" in output and "│ 7 " in output


def test_runs_without_history_says_so(tmp_path):
    code, output = kpi("runs", "--warehouse", str(tmp_path / "kpi.duckdb"))
    assert code == 0 and "Ingen natkørsler registreret" in output


def test_cron_line_has_absolute_paths_and_log_redirection(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, output = kpi("cron-line", "--cron", "30 1 * * 1-5", "--sources", "my sources",
                       "--warehouse", "wh/kpi.duckdb", "--log", "logs/nightly.log")
    assert code == 0, output
    comments = [line for line in output.splitlines() if line.startswith("#")]
    assert any("flock er ikke nødvendig" in line for line in comments)
    line = next(line for line in output.splitlines() if not line.startswith("#"))
    fields = line.split(" ", 5)
    assert fields[:5] == ["30", "1", "*", "*", "1-5"]
    words = shlex.split(fields[5])
    assert words[0] == "cd" and Path(words[1]).is_absolute()
    kpi_index = words.index("nightly") - 1
    assert Path(words[kpi_index]).name == "kpi" and Path(words[kpi_index]).is_file()
    assert words[words.index("--sources") + 1] == str(tmp_path / "my sources")
    assert words[words.index("--warehouse") + 1] == str(tmp_path / "wh" / "kpi.duckdb")
    assert words[-3:] == [">>", str(tmp_path / "logs" / "nightly.log"), "2>&1"]


def test_an_unfinished_run_is_in_progress_while_its_lock_is_held_and_interrupted_after(tmp_path):
    from datetime import datetime

    from pipelines.operate.lock import RunLock
    from pipelines.runtime.run_records import RunRecord, append_run

    warehouse = tmp_path / "kpi.duckdb"
    record_run(warehouse, "published", hours_ago=3)
    with RunLock(warehouse):
        append_run(warehouse, RunRecord(datetime.now().replace(microsecond=0), outcome="failed",
                                        message="Kørslen er ikke afsluttet"))
        rows = table_rows(kpi("runs", "--warehouse", str(warehouse))[1])
        assert "i gang" in rows[0] and "ikke afsluttet" in rows[0] and "proces" in rows[0]
    rows = table_rows(kpi("runs", "--warehouse", str(warehouse))[1])
    assert "afbrudt" in rows[0] and "fejlet" not in rows[0]
