"""A new delivery on top of a full warehouse: dbt builds only what depends on it, and the result is the same.

What it protects: the selective build of pipelines/transform/selection.py keeps every table no new input
reaches. If a dependency were missed (a model reading a raw table without `source()`, a model reading the
as-of date other than from the `run.run_parameters` source, a model reading the ledger as a whole outside
models/staging/ledger), the kept table would be stale and differ from a full rebuild. The run loads a new
quarter of one source and rejects a file of another: the selection is those two sources and the ledger models,
not every reader of the ledger (the other person-level sources' models are kept).
Reproduce a failure: drop `LEDGER_MODELS_SELECTOR` (the ledger models) from `dbt_selection` and run this file.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from bench.run import next_quarter_delivery
from pipelines.exit_codes import ExitCode
from tests.conftest import AS_OF, PublishedDemo, run_kpi

# Columns that hold the time of a run, or a run's id, and so differ between any two runs.
RUN_TIME_COLUMNS = {"loaded_at", "started_at", "finished_at", "dbt_valid_from", "dbt_valid_to", "dbt_updated_at",
                    "dbt_scd_id", "valid_from", "valid_to", "run_id", "message"}
BAD_NOVAX_CORRECTION = "novax_2016-2025_20260301.csv"  # a later correction of the sample's extract


def tables_without_run_times(warehouse: Path) -> dict[str, list[str]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [r[0] for r in con.execute("select table_name from information_schema.tables "
                                            "where table_schema = 'main' order by 1").fetchall()]
        out = {}
        for table in tables:
            columns = [r[0] for r in con.execute("select column_name from information_schema.columns where "
                                                 "table_schema = 'main' and table_name = ?", [table]).fetchall()]
            kept = ", ".join(c for c in columns if c not in RUN_TIME_COLUMNS)
            out[table] = sorted(map(repr, con.execute(f"select {kept} from {table}").fetchall()))
        return out


def nightly(demo: PublishedDemo, *extra: str, as_of: str = AS_OF):
    return run_kpi("nightly", "--sources", str(demo.sources), "--warehouse", str(demo.warehouse), "--as-of", as_of,
                   "--no-report", *extra)


def dbt_line(demo: PublishedDemo) -> str:
    newest = max((demo.warehouse.parent / "logs").glob("*.log"), key=lambda p: p.stat().st_mtime)
    return re.findall(r"dbt build .*", newest.read_text(encoding="utf-8"))[-1]


def assert_same_tables(selective: PublishedDemo, full: PublishedDemo) -> None:
    got, expected = tables_without_run_times(selective.warehouse), tables_without_run_times(full.warehouse)
    assert set(got) == set(expected)
    for table in expected:
        assert got[table] == expected[table], table


@pytest.mark.slow
@pytest.mark.e2e
def test_selective_build_equals_full_build(published_demo: PublishedDemo, tmp_path: Path) -> None:
    selective, full = (published_demo.copy_to(tmp_path / name) for name in ("selective", "full"))
    for demo in (selective, full):
        new = next_quarter_delivery(demo.sources / "inbox", 1)
        bad = demo.sources / "inbox" / "novax" / BAD_NOVAX_CORRECTION
        bad.write_text("barn;besoeg\n1;2\n", encoding="utf-8")  # not a Novax extract: rejected
    first = nightly(selective)
    assert first.returncode == ExitCode.REJECTED, first.stdout + first.stderr
    assert "Indlæst: 1 filer" in first.stdout and BAD_NOVAX_CORRECTION in first.stdout
    assert dbt_line(selective) == ("dbt build --select source:novax+ source:school_absence+ "
                                   "path:models/staging/ledger+")
    second = nightly(full, "--full-rebuild")
    assert second.returncode == ExitCode.REJECTED, second.stdout + second.stderr
    assert dbt_line(full) == "dbt build (alt)"
    assert_same_tables(selective, full)
    with duckdb.connect(str(selective.warehouse.with_name("kpi.internal.duckdb")), read_only=True) as con:
        # internal: the published ledger hides a person-level file's row count (docs/privacy.d)
        loaded = con.execute("select status, rows_loaded from raw.load_ledger where file_name = ?",
                             [new.name]).fetchall()
    assert loaded == [("loaded", loaded[0][1])] and loaded[0][1] > 0  # the new quarter was really loaded
    rejected = selective.query("select status from load_ledger where file_name = ?", [BAD_NOVAX_CORRECTION])
    assert rejected == [("rejected",)]


@pytest.mark.slow
@pytest.mark.e2e
def test_a_new_as_of_date_rebuilds_what_reads_it(published_demo: PublishedDemo, tmp_path: Path) -> None:
    """Nothing new on a later day: only what lies downstream of raw.run_parameters is rebuilt, as a full build.

    The day is months later, so periods fall due and statuses change (the next day changes nothing on the demo);
    a selection without raw.run_parameters would keep the old statuses and differ from the full build.
    """
    later = "2027-06-30"
    selective, full = (published_demo.copy_to(tmp_path / name) for name in ("selective", "full"))
    first = nightly(selective, as_of=later)
    assert first.returncode == 0, first.stdout + first.stderr
    assert dbt_line(selective) == "dbt build --select source:run.run_parameters+"
    second = nightly(full, "--full-rebuild", as_of=later)
    assert second.returncode == 0, second.stdout + second.stderr
    assert_same_tables(selective, full)
    assert not_due(selective.warehouse) < not_due(published_demo.warehouse)  # the new date reached kpi_status


def not_due(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select count(*) from kpi_status where status = 'not_due'").fetchone()[0]
