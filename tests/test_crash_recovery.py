"""A nightly that cannot get stuck: killed at five moments, run twice at once, stopped by bad reference files.

The kill tests SIGKILL the whole process group of a real `kpi nightly`. The moments are made deterministic
by the test hook `KPI_PAUSE_AT_STAGE` (pipelines/runtime/pause.py); during dbt the test waits for the dbt
child process instead. Every scenario works on a copy of one prepared warehouse, whose own reference folder
holds only the address and afdeling lists, and whose inbox holds one new file (a duplicate), so the
ingest stage has work to do and every run after the first is cheap.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import psutil
import pytest

from pipelines.load.build import database_files, prepare_build
from pipelines.publish.duckdb_file import publish, staging_path
from pipelines.runtime.pause import PAUSE_ENV, marker_file
from pipelines.runtime.run_records import UNFINISHED_MESSAGE, RunRecord, read_runs, record_start
from tests.conftest import AS_OF, REFERENCE_DIR, PublishedDemo, run_kpi

# What an analyst must never see after a normal run (issue 9, section 1).
NOISE = ("Traceback", "nanobind", "leaked", "Created temporary directory", "ephemeral docs site", "Task run",
         "| ERROR", "| WARNING", "| INFO")
OWN_REFERENCE = ("afdelinger.csv", "area_addresses.csv")


def assert_quiet(done: subprocess.CompletedProcess) -> None:
    output = done.stdout + done.stderr
    assert not [word for word in NOISE if word in output], output


def flat(text: str) -> str:
    return " ".join(text.split())


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def published_state(demo: PublishedDemo) -> tuple[str, int]:
    """The published file's hash, and proof that it opens: its row count of kpi_status."""
    return sha256(demo.warehouse), demo.query("select count(*) from kpi_status")[0][0]


def nightly(demo: PublishedDemo) -> subprocess.CompletedProcess:
    return run_kpi("nightly", "--sources", str(demo.sources), "--warehouse", str(demo.warehouse), "--as-of", AS_OF,
                   "--no-report")  # the report has tests of its own; these are about the warehouse


def start_nightly(demo: PublishedDemo, pause: str | None, output: bool = False) -> subprocess.Popen:
    """`kpi nightly` in a process group of its own, optionally paused at a stage; `output`: its output as text."""
    env = {**os.environ, "COLUMNS": "200"}
    if pause:
        env[PAUSE_ENV] = pause
    kpi = Path(sys.executable).with_name("kpi")
    return subprocess.Popen([str(kpi), "nightly", "--sources", str(demo.sources), "--warehouse", str(demo.warehouse),
                             "--as-of", AS_OF, "--no-report"], env=env,
                            stdout=subprocess.PIPE if output else subprocess.DEVNULL,
                            stderr=subprocess.STDOUT if output else subprocess.DEVNULL, text=output,
                            start_new_session=True)


def wait_for(condition: Callable[[], bool], run: subprocess.Popen, timeout: float = 400) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert run.poll() is None, f"the run ended (rc {run.returncode}) before it reached the moment"
        assert time.monotonic() < deadline, "the run did not reach the moment in time"
        time.sleep(0.2)


def dbt_is_running(run: subprocess.Popen, logs: Path, earlier: set[Path]) -> bool:
    """The run has sent dbt's child its build (the flow logs `dbt build …` then) and the child is alive."""
    started = any("pipelines.flows.nightly: dbt build" in log.read_text(encoding="utf-8", errors="replace")
                  for log in set(logs.glob("kpi-nightly-*.log")) - earlier)
    try:
        children = psutil.Process(run.pid).children(recursive=True)
        return started and any("dbt_worker" in " ".join(child.cmdline()) for child in children
                               if child.status() != psutil.STATUS_ZOMBIE)
    except psutil.Error:  # a child that ended meanwhile
        return False


def kill_process_group(run: subprocess.Popen) -> None:
    """SIGKILL to the run's whole process group, as `kill -9 -PGID` or the OOM killer's victim would get."""
    children = psutil.Process(run.pid).children(recursive=True)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait(timeout=60)
    for child in children:  # a child that left the group (e.g. a server in its own session) is ours too
        if child.is_running():
            child.kill()
    psutil.wait_procs(children, timeout=30)


def leftovers(demo: PublishedDemo) -> list[str]:
    folder = demo.warehouse.parent
    internal = demo.warehouse.with_name("kpi.internal.duckdb")
    paths = [*database_files(internal.with_name(internal.name + ".build")),
             *database_files(staging_path(demo.warehouse)), *folder.glob(".kpi-run-*"), *folder.glob("kpi-paused-*")]
    return sorted(p.name for p in paths if p.exists())


@pytest.fixture(scope="module")
def prepared(published_demo: PublishedDemo, tmp_path_factory) -> PublishedDemo:
    demo = published_demo.copy_to(tmp_path_factory.mktemp("crash") / "prepared")
    own = demo.sources / "reference"
    own.mkdir()
    for name in OWN_REFERENCE:
        shutil.copy2(REFERENCE_DIR / name, own / name)
    inbox = demo.sources / "inbox" / "police_haervaerk"
    shutil.copy2(inbox / "police_haervaerk_2025_20260214.csv", inbox / "police_haervaerk_2025_20261101.csv")
    return demo


def test_a_stale_build_wal_and_staging_file_are_never_reused(published_demo: PublishedDemo, tmp_path: Path) -> None:
    """The trap of docs/stack_facts.md fact 9: a killed run's `.build` + `.wal` (and a publish's `.new` + `.wal`)."""
    demo = published_demo.copy_to(tmp_path / "w")
    internal = demo.warehouse.with_name("kpi.internal.duckdb")
    build = internal.with_name(internal.name + ".build")
    stale = ("import duckdb, os, shutil, sys\n"
             "shutil.copy2(sys.argv[1], sys.argv[2]); con = duckdb.connect(sys.argv[2])\n"
             "con.execute(\"set checkpoint_threshold = '1TB'\")\n"
             "con.execute('create table main.left_by_a_killed_run as select range as i from range(50000)')\n"
             "os._exit(0)\n")
    for target in (build, staging_path(demo.warehouse)):
        subprocess.run([sys.executable, "-c", stale, str(internal), str(target)], check=True)
        assert target.with_name(target.name + ".wal").is_file()
    build = prepare_build(internal, REFERENCE_DIR / "criteria.yaml", date(2026, 11, 23))
    record = RunRecord(datetime.now())
    record_start(demo.warehouse, record)
    publish(build, internal, demo.warehouse, read_runs(demo.warehouse))
    assert leftovers(demo) == []
    tables = {t for (t,) in demo.query("select table_name from information_schema.tables")}
    assert "left_by_a_killed_run" not in tables and "load_runs" in tables
    rows = demo.query("select run_id, outcome, finished_at, message from load_runs order by started_at")
    assert [r[1] for r in rows] == ["published", "failed"]  # the demo's first run, then this one, unfinished
    assert rows[-1] == (record.run_id, "failed", None, UNFINISHED_MESSAGE)
    import duckdb

    with duckdb.connect(str(internal), read_only=True) as con:
        assert "left_by_a_killed_run" not in {t for (t,) in con.execute("show tables").fetchall()}


def check_recovery(demo: PublishedDemo, before: tuple[str, int], killed_runs: int = 1) -> subprocess.CompletedProcess:
    """After a kill: the published file is unchanged; the next run exits 0, publishes and records the killed run."""
    assert published_state(demo) == before
    runs_before = read_runs(demo.warehouse)
    assert sum(not r.finished for r in runs_before) == killed_runs
    after = nightly(demo)
    assert after.returncode == 0, after.stdout + after.stderr
    assert f"Publiceret: {demo.warehouse}" in after.stdout
    assert_quiet(after)
    assert leftovers(demo) == []
    assert published_state(demo)[1] == before[1]
    rows = demo.query("select run_id, outcome, finished_at is null, message from load_runs order by started_at")
    unfinished = [r for r in runs_before if not r.finished]
    assert [row for row in rows if row[2]] == [(r.run_id, "failed", True, UNFINISHED_MESSAGE) for r in unfinished]
    assert rows[-1][1] == "published" and not rows[-1][2]
    return after


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.parametrize("stage", ["ingest", "dbt-build", "publish", "publish-swapped"])
def test_a_run_killed_at_a_stage_is_followed_by_one_that_publishes(prepared: PublishedDemo, tmp_path: Path,
                                                                   stage: str) -> None:
    demo = prepared.copy_to(tmp_path / "w")
    before = published_state(demo)
    earlier_logs = set((demo.warehouse.parent / "logs").glob("kpi-nightly-*.log"))
    run = start_nightly(demo, pause=None if stage == "dbt-build" else stage)
    try:
        if stage == "dbt-build":
            wait_for(lambda: dbt_is_running(run, demo.warehouse.parent / "logs", earlier_logs), run)
            time.sleep(2)
        else:
            wait_for(marker_file(stage, demo.warehouse.parent).is_file, run)
        assert published_state(demo) == before  # readable and unchanged while the run is at that moment
    finally:
        kill_process_group(run)
    marker_file(stage, demo.warehouse.parent).unlink(missing_ok=True)
    if stage in ("ingest", "dbt-build"):
        assert "kpi.internal.duckdb.build" in leftovers(demo)
    if stage == "publish":
        assert "kpi.duckdb.new" in leftovers(demo)
    after = check_recovery(demo, before)
    assert "Indlæst: 0 filer, dubletter: 1, afvist: 0." in after.stdout or stage == "publish-swapped"


def stop_at(demo: PublishedDemo, stage: str, signum: int) -> tuple[subprocess.Popen, str]:
    """A `kpi nightly` paused at `stage`, sent `signum` there: the ended run and its output (one line); the pause
    marker removed."""
    run = start_nightly(demo, pause=stage, output=True)
    try:
        wait_for(marker_file(stage, demo.warehouse.parent).is_file, run)
        run.send_signal(signum)
        output = flat(run.communicate(timeout=120)[0])
    finally:
        if run.poll() is None:
            kill_process_group(run)
    marker_file(stage, demo.warehouse.parent).unlink(missing_ok=True)
    return run, output


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.parametrize(("signum", "cause"), [(signal.SIGTERM, "afbrudt (SIGTERM)"),
                                                (signal.SIGINT, "afbrudt (Ctrl-C)")])
def test_a_run_stopped_during_its_flow_says_so_and_publishes_nothing(prepared: PublishedDemo, tmp_path: Path,
                                                                    signum: int, cause: str) -> None:
    """SIGTERM inside the flow meets Prefect's own SIGTERM bridge, which ends the flow as crashed and passes the
    signal on to `kpi nightly`'s handler; Ctrl-C meets ours. Either way the run says why in Danish, exits 4, and the
    published file is the one before it."""
    demo = prepared.copy_to(tmp_path / "w")
    before = published_state(demo)
    run, output = stop_at(demo, "publish", signum)
    assert run.returncode == 4, output
    assert f"Natkørslen fejlede; det tidligere lager er stadig publiceret og uændret. Årsag: {cause}" in output
    assert "Traceback" not in output and "Publiceret:" not in output
    assert published_state(demo) == before
    after = nightly(demo)  # nothing of the stopped run is in the way
    assert after.returncode == 0, after.stdout + after.stderr
    assert leftovers(demo) == []


@pytest.mark.slow
@pytest.mark.e2e
def test_a_run_stopped_after_it_published_says_it_published(prepared: PublishedDemo, tmp_path: Path) -> None:
    """A stop while the run makes its report (after the publication) must not claim the old warehouse stands."""
    demo = prepared.copy_to(tmp_path / "w")
    before = published_state(demo)
    run, output = stop_at(demo, "after-publish", signal.SIGTERM)
    assert run.returncode == 0, output  # its outcome: published (the one new file is a duplicate)
    assert ("Natkørslen blev afbrudt efter publiceringen: det nye lager er publiceret, men rapporten og eventuelle "
            "PostgreSQL-mål er måske ikke opdateret; næste kørsel gør det. Årsag: afbrudt (SIGTERM) "
            f"Publiceret: {demo.warehouse}") in output
    assert "Natkørslen fejlede" not in output and "Traceback" not in output
    assert published_state(demo)[0] != before[0]
    [last] = read_runs(demo.warehouse)[-1:]
    assert last.outcome == "published" and last.finished  # not recorded as failed afterwards
    after = nightly(demo)
    assert after.returncode == 0, after.stdout + after.stderr
    outcomes = [o for (o,) in demo.query("select outcome from load_runs order by started_at")]
    assert outcomes[-2:] == ["published", "published"]


@pytest.mark.slow
@pytest.mark.e2e
def test_two_nightlies_at_once_one_waits_for_none_and_exits_5(prepared: PublishedDemo, tmp_path: Path) -> None:
    """The second run is skipped (exit 5, PID and start time of the first); the first, killed, blocks nobody."""
    demo = prepared.copy_to(tmp_path / "w")
    before = published_state(demo)
    first = start_nightly(demo, pause="prepare-build")
    try:
        wait_for(marker_file("prepare-build", demo.warehouse.parent).is_file, first)
        second = nightly(demo)
        assert published_state(demo) == before
    finally:
        kill_process_group(first)
    marker_file("prepare-build", demo.warehouse.parent).unlink(missing_ok=True)
    assert second.returncode == 5, second.stdout + second.stderr
    message = flat(second.stdout + second.stderr)
    assert re.search(rf"En anden natkørsel er i gang for dette lager \(proces {first.pid} på \S+, startet "
                     r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\)\. Denne kørsel er sprunget over\.", message), message
    assert_quiet(second)
    after = check_recovery(demo, before)
    outcomes = [o for (o,) in demo.query("select outcome from load_runs order by started_at")]
    assert outcomes[-3:] == ["skipped_locked", "failed", "published"] or outcomes[-3:] == [
        "failed", "skipped_locked", "published"]
    skipped = demo.query("select message, files_loaded from load_runs where outcome = 'skipped_locked'")
    assert len(skipped) == 1 and f"proces {first.pid}" in skipped[0][0]
    # section 3: a sources dir with only its own address lists runs and says where each file came from
    out = flat(after.stdout)
    assert f"Referencefiler fra {demo.sources / 'reference'}: afdelinger.csv, area_addresses.csv" in out
    assert re.search(r"Referencefiler fra projektet \(\S+\): area_aliases\.csv, criteria\.yaml, "
                     r"delivery_calendar\.csv, readings\.yaml", out)


@pytest.mark.e2e
def test_a_malformed_reference_file_stops_the_run_before_anything_is_loaded(prepared: PublishedDemo,
                                                                           tmp_path: Path) -> None:
    demo = prepared.copy_to(tmp_path / "w")
    addresses = demo.sources / "reference" / "area_addresses.csv"
    lines = addresses.read_text(encoding="utf-8").splitlines()
    addresses.write_text("\n".join([*lines, "Motalavej;150;160;lige;4200;Slagelse;sydbyen;Bolig Korsør;2"]) + "\n",
                         encoding="utf-8")
    internal = demo.warehouse.with_name("kpi.internal.duckdb")
    before, internal_before = published_state(demo), sha256(internal)
    done = nightly(demo)
    assert done.returncode == 4, done.stdout + done.stderr
    out = flat(done.stdout + done.stderr)
    assert (f"Referencefilen {addresses}, række {len(lines) + 1}: Motalavej 150-160 (lige, 4200) i området "
            "'sydbyen' overlapper række 2") in out
    assert "Intet er indlæst" in out and "det tidligere lager er stadig publiceret og uændret" in out
    assert "Indlæst: 0 filer" in out
    assert (published_state(demo), sha256(internal)) == (before, internal_before)
    assert leftovers(demo) == []
    assert "Traceback" not in out
    log_file = Path(re.search(r"Detaljer \(til udviklerne\): (\S+\.log)", out)[1])
    assert "ReferenceProblem" in log_file.read_text(encoding="utf-8")
    last = read_runs(demo.warehouse)[-1]
    assert last.outcome == "failed" and last.finished and "area_addresses.csv, række" in last.message


def test_nightly_help_documents_the_exit_codes() -> None:
    done = run_kpi("nightly", "--help")
    assert done.returncode == 0
    text = flat(done.stdout)
    for code in ("0 alt gik godt", "3 en eller flere leverancer blev afvist", "4 kørslen fejlede",
                 "5 kørslen blev sprunget over"):
        assert code in text, text
    assert "--verbose" in text


def test_the_first_demo_run_was_quiet(published_demo: PublishedDemo) -> None:
    assert published_demo.first is not None
    assert_quiet(published_demo.first)
    assert published_demo.query("select outcome, files_loaded > 100, files_rejected from load_runs") == [
        ("published", True, 0)]
