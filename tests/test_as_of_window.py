"""A new as-of date inside the last build's window changes no published table, so the nightly need not build.

What it protects: int_run__as_of_window (dbt) names the first date after the build's as-of date at which a
comparison of the as-of date with a date flips (valid_until) and the last one on or before it (valid_from); the
nightly republishes instead of building for a date inside [valid_from, valid_until) (pipelines/load/inputs.py).
If a comparison were missed (a model comparing the as-of date with a date the window does not read), a build
inside the window would differ from the published tables; if a flip date were off by a day, the build at the
window's edge would not differ.
Reproduce a failure: drop the `period_end` flips from int_run__as_of_window.sql and run this file.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from pipelines.load.inputs import read_as_of_window, record_path
from pipelines.load.schema import write_run_parameters
from pipelines.settings import DBT_PROJECT_DIR
from pipelines.transform.dbt import run_dbt_build
from pipelines.transform.selection import AS_OF_SELECTOR
from tests.conftest import AS_OF, PublishedDemo
from tests.test_incremental_nightly import dbt_line, nightly, tables_without_run_times

# The demo's window as of AS_OF (2026-11-23): the last figures fell due on 30-06-2026 (period end + publication
# lag), the next ones on 31-12-2026 (published_from in int_kpi__evaluation_grid).
DEMO_WINDOW = (date(2026, 6, 30), date(2026, 12, 31))
DAY = timedelta(days=1)
AS_OF_TABLES = ("kpi_status", "data_gaps")  # the tables whose rows the as-of date decides (statuses, gaps)


WINDOW_MODEL = DBT_PROJECT_DIR / "models" / "intermediate" / "run" / "int_run__as_of_window.sql"
COMMENTS = re.compile(r"\{#.*?#\}|--[^\n]*", re.DOTALL)
QUALIFIER = r"(?:\{\{\s*\w+\s*\}\}\.|\w+\.)?"
COMPARED_WITH_AS_OF = (re.compile(rf"{QUALIFIER}(\w+)\s*(?:>=|<=|<>|>|<|=)\s*{QUALIFIER}as_of\b"),
                       re.compile(rf"\b{QUALIFIER}as_of\s*(?:>=|<=|<>|>|<|=)\s*{QUALIFIER}(\w+)"))


def dates_compared_with_the_as_of_date() -> set[str]:
    """The columns that the models and macros (but the window itself) compare the as-of date with."""
    found = set()
    for path in [*(DBT_PROJECT_DIR / "models").rglob("*.sql"), *(DBT_PROJECT_DIR / "macros").rglob("*.sql")]:
        if path != WINDOW_MODEL:
            sql = COMMENTS.sub("", path.read_text(encoding="utf-8"))
            found |= {m.group(1) for pattern in COMPARED_WITH_AS_OF for m in pattern.finditer(sql)}
    return found


def test_every_date_the_as_of_date_is_compared_with_is_a_flip_of_the_window() -> None:
    """A new comparison of the as-of date must reach int_run__as_of_window, or a nothing-new run would miss it."""
    compared = dates_compared_with_the_as_of_date()
    assert compared == {"published_from", "stale_after", "period_end", "calendar_due_date"}
    window = COMMENTS.sub("", WINDOW_MODEL.read_text(encoding="utf-8"))
    assert all(re.search(rf"\b{column}\b", window) for column in compared)


def internal(demo: PublishedDemo) -> Path:
    return demo.warehouse.with_name("kpi.internal.duckdb")


def test_the_demo_build_records_its_window(published_demo: PublishedDemo) -> None:
    window = read_as_of_window(internal(published_demo))
    assert window is not None and (window.valid_from, window.valid_until) == DEMO_WINDOW
    record = json.loads(record_path(published_demo.warehouse).read_text(encoding="utf-8"))
    assert record["as_of_window"] == [d.isoformat() for d in DEMO_WINDOW]


def rebuilt_as_of(build: Path, as_of: date) -> dict[str, list[str]]:
    """The build file's tables after dbt rebuilt everything that reads the as-of date for `as_of`."""
    with duckdb.connect(str(build)) as con:
        write_run_parameters(con, as_of)
    outcome = run_dbt_build(build, select=[AS_OF_SELECTOR])
    assert outcome.success, outcome.failures
    return tables_without_run_times(build)


@pytest.mark.slow
def test_a_build_inside_the_window_equals_the_published_one_and_one_outside_differs(
        published_demo: PublishedDemo, tmp_path: Path) -> None:
    build = tmp_path / "kpi.internal.duckdb"
    shutil.copy2(internal(published_demo), build)
    built = tables_without_run_times(build)
    valid_from, valid_until = DEMO_WINDOW
    for inside in (valid_from, valid_until - DAY):  # the window's edges, before any date outside it (history)
        assert rebuilt_as_of(build, inside) == built, inside
    for outside in (valid_until, valid_from - DAY):
        tables = rebuilt_as_of(build, outside)
        assert [tables[t] for t in AS_OF_TABLES] != [built[t] for t in AS_OF_TABLES], outside


@pytest.mark.slow
@pytest.mark.e2e
def test_the_next_day_is_nothing_new_and_a_day_past_the_window_builds(published_demo: PublishedDemo,
                                                                     tmp_path: Path) -> None:
    demo = published_demo.copy_to(tmp_path / "demo")
    before = tables_without_run_times(demo.warehouse)
    next_day = date.fromisoformat(AS_OF) + DAY
    quiet = nightly(demo, as_of=next_day.isoformat())
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    said = " ".join(quiet.stdout.split())
    assert "Intet nyt siden sidste bygning" in said and "intet ændres før 31-12-2026" in said, quiet.stdout
    assert "dbt build" not in newest_log(demo)
    after = tables_without_run_times(demo.warehouse)
    assert {t: v for t, v in after.items() if t != "load_runs"} == {t: v for t, v in before.items() if t != "load_runs"}
    assert len(after["load_runs"]) == len(before["load_runs"]) + 1
    past = nightly(demo, as_of=DEMO_WINDOW[1].isoformat())
    assert past.returncode == 0, past.stdout + past.stderr
    assert dbt_line(demo) == "dbt build --select source:run.run_parameters+"
    assert tables_without_run_times(demo.warehouse)["kpi_status"] != before["kpi_status"]


def newest_log(demo: PublishedDemo) -> str:
    return max((demo.warehouse.parent / "logs").glob("*.log"), key=lambda p: p.stat().st_mtime).read_text("utf-8")
