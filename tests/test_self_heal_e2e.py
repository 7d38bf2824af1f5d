"""A nightly that heals its own state and publishes by itself: real `kpi nightly` runs on a copy of the demo.

Four runs cover what the unit tests of tests/test_state_healing.py cannot: a truncated internal file rebuilt
from every delivery (with the first load times and `kpi_status_history` taken from the published file, so the
published tables equal the clean build's exactly), a published file of random bytes rebuilt from the internal
one, every other state file damaged at once (Prefect's database, run log, inputs record, dbt's target folder,
lock file), and a disk that fills during the build (a real tmpfs; skipped where it cannot be mounted, the
Danish cause of an injected ENOSPC is covered in test_state_healing_disk.py).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.contract_columns import PUBLISHED_TABLES
from pipelines.load.inputs import record_path
from pipelines.runtime.pause import PAUSE_ENV, PAUSE_SECONDS_ENV, marker_file
from pipelines.runtime.run_records import read_runs, runlog_path
from tests.conftest import AS_OF, PublishedDemo, run_kpi
from tests.test_crash_recovery import assert_quiet, flat, leftovers, published_state, sha256

MIB = 1024 * 1024


def published_tables(path: Path) -> dict[str, list[tuple]]:
    """Every published table but load_runs (which gains this run), rows in a stable order."""
    with duckdb.connect(str(path), read_only=True) as con:
        return {table: sorted(con.execute(f"select * from {table}").fetchall(), key=repr)
                for table in PUBLISHED_TABLES if table != "load_runs"}


def nightly(demo: PublishedDemo, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return run_kpi("nightly", "--sources", str(demo.sources), "--warehouse", str(demo.warehouse), "--as-of", AS_OF,
                   "--no-report", *extra, env=env)


def start_paused(demo: PublishedDemo, stage: str, seconds: int, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "COLUMNS": "200", PAUSE_ENV: stage, PAUSE_SECONDS_ENV: str(seconds)}
    kpi = Path(sys.executable).with_name("kpi")
    return subprocess.Popen([str(kpi), "nightly", "--sources", str(demo.sources), "--warehouse", str(demo.warehouse),
                             "--as-of", AS_OF, "--no-report", *extra], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for_marker(run: subprocess.Popen, marker: Path, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while not marker.is_file():
        assert run.poll() is None, run.communicate()
        assert time.monotonic() < deadline, "the run did not reach the pause in time"
        time.sleep(0.2)


def set_aside(demo: PublishedDemo, name: str) -> Path:
    [aside] = demo.warehouse.parent.glob(f"{name}.beskadiget-*")
    return aside


def kpi_status(demo: PublishedDemo) -> str:
    return CliRunner().invoke(app, ["status", "--warehouse", str(demo.warehouse)], env={"COLUMNS": "200"}).output


@pytest.mark.slow
@pytest.mark.e2e
def test_a_truncated_internal_file_is_rebuilt_from_the_deliveries(published_demo: PublishedDemo,
                                                                  tmp_path: Path) -> None:
    demo = published_demo.copy_to(tmp_path / "w")
    internal = demo.warehouse.with_name("kpi.internal.duckdb")
    os.truncate(internal, internal.stat().st_size // 2)
    damaged, before, tables = sha256(internal), published_state(demo), published_tables(demo.warehouse)
    run = start_paused(demo, "ingest", 10)
    wait_for_marker(run, marker_file("ingest", demo.warehouse.parent))
    assert published_state(demo) == before  # readable and unchanged while every delivery is loaded again
    stdout, stderr = run.communicate(timeout=900)
    done = subprocess.CompletedProcess(run.args, run.returncode, stdout, stderr)
    marker_file("ingest", demo.warehouse.parent).unlink()
    assert done.returncode == 0, stdout + stderr
    assert_quiet(done)
    out = flat(stdout)
    aside = set_aside(demo, "kpi.internal.duckdb")
    assert sha256(aside) == damaged
    assert f"Genopretning: Det interne lager ({internal}) er afkortet ({aside.stat().st_size} byte" in out
    assert f"Den er lagt til side som {aside.name} (intet er slettet)" in out
    assert re.search(r"Genopretning: Første indlæsningstidspunkter og kpi_status_history er hentet fra det "
                     r"publicerede lager \(\d+ filer, \d+ versioner\)", out), out
    assert f"Publiceret: {demo.warehouse}" in out
    # the same deliveries give the same tables; load times and history come back from the published file
    assert published_tables(demo.warehouse) == tables
    runs = read_runs(demo.warehouse)
    assert [r.outcome for r in runs] == ["published", "published"] and "er afkortet" in runs[-1].message
    assert demo.query("select count(*) from load_runs where message like '%lagt til side%'") == [(1,)]
    summary = (demo.warehouse.parent / "seneste_koersel.md").read_text(encoding="utf-8")
    assert "## Beskadigede eller manglende filer" in summary and aside.name in summary
    assert re.search(r"Lagt til side som beskadiget \(\d+\): .*" + re.escape(str(aside)), flat(kpi_status(demo)))
    assert leftovers(demo) == []


@pytest.mark.e2e
def test_a_published_file_of_random_bytes_is_rebuilt_from_the_internal_one(published_demo: PublishedDemo,
                                                                           tmp_path: Path) -> None:
    demo = published_demo.copy_to(tmp_path / "w")
    tables = published_tables(demo.warehouse)
    demo.warehouse.write_bytes(random.Random(26).randbytes(demo.warehouse.stat().st_size))
    damaged = sha256(demo.warehouse)
    done = nightly(demo)
    assert done.returncode == 0, done.stdout + done.stderr
    assert_quiet(done)
    aside = set_aside(demo, "kpi.duckdb")
    assert sha256(aside) == damaged
    assert (f"Genopretning: Det publicerede lager ({demo.warehouse}) er ikke en DuckDB-fil. Den er lagt til side "
            f"som {aside.name} (intet er slettet). Det genskabes fra det interne lager") in flat(done.stdout)
    assert published_tables(demo.warehouse) == tables
    assert [o for (o,) in demo.query("select outcome from load_runs order by started_at")] == ["published"] * 2


@pytest.mark.e2e
def test_every_other_state_file_damaged_at_once_and_the_run_still_publishes(published_demo: PublishedDemo,
                                                                           tmp_path: Path) -> None:
    """Prefect's database of garbage (a new home), the run log cut mid-line, the inputs record of random bytes,
    dbt's partial parse emptied, and a folder where the lock file belongs."""
    demo = published_demo.copy_to(tmp_path / "w")
    folder = demo.warehouse.parent
    tables, first_run = published_tables(demo.warehouse), read_runs(demo.warehouse)
    home = tmp_path / "prefect"
    home.mkdir()
    (home / "prefect.db").write_bytes(b"this is not an SQLite database\n" * 64)
    runlog = runlog_path(demo.warehouse)
    os.truncate(runlog, runlog.stat().st_size - 20)
    record_path(demo.warehouse).write_bytes(random.Random(1).randbytes(4096))
    (folder / "dbt_target" / "partial_parse.msgpack").write_bytes(b"")
    lock = folder / "kpi.duckdb.lock"
    lock.unlink()
    lock.mkdir()
    done = nightly(demo, env={"PREFECT_HOME": str(home), "PREFECT_API_URL": ""})
    assert done.returncode == 0, done.stdout + done.stderr
    assert_quiet(done)
    out = flat(done.stdout)
    for told in (f"Genopretning: Prefects database ({home / 'prefect.db'}) er ikke en SQLite-database",
                 f"Genopretning: Låsefilen ({lock}) er en mappe, ikke en fil",
                 f"Genopretning: Posten over sidste kørsels input ({record_path(demo.warehouse)}) er ikke gyldig "
                 "JSON", f"Genopretning: Kørselsloggen ({runlog}) har 1 linje(r), der ikke kan læses",
                 f"Genopretning: dbt's arbejdsmappe ({folder / 'dbt_target'}) rummer partial_parse.msgpack"):
        assert told in out, out
    assert len(list(home.glob("prefect.db.beskadiget-*"))) == 1
    for name in ("kpi.duckdb.lock", "kpi.inputs.json", "kpi.runs.jsonl", "dbt_target"):
        assert set_aside(demo, name).exists()
    assert published_tables(demo.warehouse) == tables
    runs = demo.query("select run_id, outcome from load_runs order by started_at")
    assert runs[0] == (first_run[0].run_id, "published") and [o for _, o in runs] == ["published"] * 2
    assert lock.is_file()


@pytest.fixture
def small_disk(tmp_path: Path):
    """A tmpfs of a given size in MiB (root only); skipped where it cannot be mounted."""
    mounted: list[Path] = []

    def mount(size_mib: int) -> Path:
        point = tmp_path / "disk"
        point.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mib}m", "tmpfs", str(point)],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pytest.skip(f"a tmpfs cannot be mounted here: {done.stderr.strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", str(point)], check=False)


def fill(filler: Path) -> None:
    """Fill the filler's disk but for a little room for the run's log and run log lines."""
    with filler.open("ab") as handle:
        handle.write(b"\0" * (shutil.disk_usage(filler.parent).free - 256 * 1024))


@pytest.mark.slow
@pytest.mark.e2e
def test_a_disk_that_fills_during_the_build_is_named_and_the_next_run_publishes(published_demo: PublishedDemo,
                                                                               tmp_path: Path, small_disk) -> None:
    demo = published_demo.copy_to(tmp_path / "w")
    used = sum(p.stat().st_size for p in demo.warehouse.parent.rglob("*") if p.is_file())
    internal = demo.warehouse.with_name("kpi.internal.duckdb")
    needed = internal.stat().st_size + demo.warehouse.stat().st_size
    disk = small_disk((used + needed) // MIB + 8)
    shutil.copytree(demo.warehouse.parent, disk / "warehouse")
    demo.warehouse = disk / "warehouse" / "kpi.duckdb"
    before, tables = published_state(demo), published_tables(demo.warehouse)
    run = start_paused(demo, "prepare-build", 5, "--full-rebuild")  # a full build: the copy, then dbt writes
    wait_for_marker(run, marker_file("prepare-build", demo.warehouse.parent))
    filler = disk / "filler"
    fill(filler)  # the disk fills while the run builds
    stdout, stderr = run.communicate(timeout=900)
    marker_file("prepare-build", demo.warehouse.parent).unlink()
    out = flat(stdout + stderr)
    assert run.returncode == 4, out
    assert "Natkørslen fejlede; det tidligere lager er stadig publiceret og uændret. Årsag: Disken er fuld" in out
    assert "Traceback" not in out and "Logging error" not in out
    assert published_state(demo) == before and leftovers(demo) == []
    # the failed run removed its build file; filled again, the next run says so before it copies anything
    fill(filler)
    early = nightly(demo)
    text = flat(early.stdout + early.stderr)
    assert early.returncode == 4, text
    assert re.search(r"Årsag: Disken er fuld: kørslen skal bruge ca\. \d+,\d MB fri plads i "
                     + re.escape(str(demo.warehouse.parent)) + r" .*, men der er kun 0,\d MB fri\.", text), text
    assert published_state(demo) == before
    filler.unlink()
    after = nightly(demo)
    assert after.returncode == 0, after.stdout + after.stderr
    assert published_tables(demo.warehouse) == tables
    assert [o for (o,) in demo.query("select outcome from load_runs order by started_at")] == [
        "published", "failed", "failed", "published"]
