"""The nightly Prefect flow: reference files → discover → ingest (parse, validate, load) → dbt build → publish.

One task per stage; the stages themselves (pipelines.delivery, pipelines.parse,
pipelines.validate, pipelines.load, pipelines.transform) know nothing of Prefect. The flow function itself
takes the warehouse's run lock
(pipelines/operate/lock.py), so a run started by `kpi nightly` and one served by `flow.serve()` exclude
each other alike. Every run, skipped ones included, ends in `finish_run`, which records it in the run log
(and so in the published `load_runs`).
"""

from __future__ import annotations

import atexit
import gc
import logging
import shutil
import sys
import traceback
from contextlib import closing
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.settings import apply_quiet_offline_env

apply_quiet_offline_env()

import duckdb  # noqa: E402
from prefect import flow, task  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.states import Failed, State  # noqa: E402

from pipelines import progress  # noqa: E402
from pipelines.delivery.discover import Decision, Delivery, discover, inbox_files  # noqa: E402
from pipelines.load.files import build_path, remove_database  # noqa: E402
from pipelines.load.inputs import (  # noqa: E402
    FileHashes,
    InputsRecord,
    checked_by_last_build,
    fingerprint_of,
    inbox_may_have_new_files,
    input_parts,
    only_as_of_moved_within_window,
    read_as_of_window,
    read_record,
    unchanged_since_last_build,
    write_record,
)
from pipelines.operate.alerts import alert_after_run  # noqa: E402
from pipelines.operate.healing import HealedState, heal_warehouse_state, preload_dbt_on_a_sound_target  # noqa: E402
from pipelines.operate.lock import LockHolder, RunLock, RunLocked  # noqa: E402
from pipelines.operate.state_check import take_noted  # noqa: E402
from pipelines.privacy.cpr import load_key  # noqa: E402
from pipelines.privacy.keys import KeyMismatchError, MissingKeyError, fingerprint, verify_key  # noqa: E402
from pipelines.publish.duckdb_file import publish, republish_runs  # noqa: E402
from pipelines.receive.drop_folder import dropped_files  # noqa: E402
from pipelines.reference.resolution import (  # noqa: E402
    CRITERIA_FILE,
    PROJECT_REFERENCE_DIR,
    ReferenceProblem,
    resolve_reference,
)
from pipelines.runtime.disk import disk_full_in_run_da, failure_da, is_disk_full, run_space_problem  # noqa: E402
from pipelines.runtime.pause import pause_at  # noqa: E402
from pipelines.runtime.run_records import (  # noqa: E402
    EXIT_CODES,
    FAILED,
    PUBLISHED,
    PUBLISHED_WITH_REJECTIONS,
    SKIPPED_LOCKED,
    RunRecord,
    append_run,
    read_runs,
    record_start,
)
from pipelines.settings import DEFAULT_PLAN_ID, RUN_DIR_PREFIX, RunConfig  # noqa: E402
from pipelines.timings import log_totals, mark, seconds_since_process_start, timed  # noqa: E402
from pipelines.transform.dbt import DbtOutcome, discard_preloaded_dbt, run_dbt_build  # noqa: E402
from pipelines.transform.selection import dbt_selection  # noqa: E402

if TYPE_CHECKING:
    from pipelines.flows.delivery_step import IngestOutcome

# The heavy modules (polars, the parsers, GX, the report) are imported inside the tasks that need them:
# a run with nothing new does not pay for them.

log = logging.getLogger(__name__)


def _free_duckdb_held_by_stored_exceptions() -> None:
    """Why this runs at exit: duckdb 2.0 (nanobind) prints `nanobind: leaked N instances …` when a
    connection object, even a closed one, is still alive while the interpreter shuts down with daemon
    threads running, and Prefect always leaves some (its event loop and API workers). Connections stay
    alive in the frames of stored tracebacks: Prefect keeps a failed task's exception in its state, and a
    Delivery keeps the rejection that `ingest` raised (and whose frame holds the open connection). Clearing
    the frames of every live exception before teardown frees those connections (reproduced with a daemon
    thread and one kept exception; clearing its frames silences it).
    """
    for obj in gc.get_objects():
        if isinstance(obj, BaseException) and obj.__traceback__ is not None:
            traceback.clear_frames(obj.__traceback__)
    gc.collect()


atexit.register(_free_duckdb_held_by_stored_exceptions)  # runs before Prefect's own exit handlers (LIFO)

MESSAGE_LIMIT = 1000


@dataclass
class NightlyResult:
    """What a run did. `outcome` is its `load_runs` outcome; unless published, the old warehouse stands."""

    outcomes: list[IngestOutcome] = field(default_factory=list)
    failure: str | None = None
    published: bool = False
    outcome: str = FAILED
    run: RunRecord | None = None
    locked_by: LockHolder | None = None
    reference_origins: list[str] = field(default_factory=list)
    nothing_new: bool = False  # same inputs as the last build: only load_runs was republished
    state_notes: list[str] = field(default_factory=list)  # Danish: state files set aside, rebuilds (healing.py)
    waiting: list[str] = field(default_factory=list)  # Danish: files left in modtaget/ and why (pipelines/receive)

    def with_status(self, status: str) -> list[IngestOutcome]:
        return [o for o in self.outcomes if o.status == status]
    report_error: str | None = None  # the warehouse is published; only the board report failed

    @property
    def rejected(self) -> list[IngestOutcome]:
        return self.with_status("rejected")

    @property
    def exit_code(self) -> int:
        """0 published, 3 published with rejections, 4 failed, 5 skipped (another run holds the lock)."""
        return EXIT_CODES[self.outcome]

    def as_dict(self) -> dict:
        return asdict(self)


@task(name="resolve-reference", cache_policy=NO_CACHE)
def reference_task(config: RunConfig, run_dir: Path) -> tuple[Path, list[str]]:
    """Resolve and check every reference file, snapshot them for this run; raises ReferenceProblem."""
    progress.report("Kontrollerer referencefiler")
    resolved = resolve_reference(config.sources_dir)
    if not checked_by_last_build(read_record(config.warehouse), resolved.files):
        from pipelines.catalog_workbook.files import refuse_a_broken_catalog  # openpyxl and the parsers: slow

        refuse_a_broken_catalog(resolved.files)  # `kpi catalog check`: a catalog with errors loads nothing
    return resolved.snapshot(run_dir / "reference"), resolved.origin_lines_da()


@task(name="receive-drop-folder", cache_policy=NO_CACHE)
def receive_task(config: RunConfig, reference_dir: Path) -> list[str]:
    """File what lies in `<sources>/modtaget/` into the inbox (pipelines/receive); the Danish lines of what waits.

    Never fails the run: a file that cannot be received waits, and so does the whole folder if receiving breaks.
    Called only when the folder holds a file (`_run_stages`), so a run without one makes no task of it.
    """
    from pipelines.receive.drop_folder import DROP_FOLDER, receive_drop_folder

    progress.report(f"Modtager filer fra {DROP_FOLDER}/")
    try:
        received = receive_drop_folder(config.sources_dir, config.inbox, reference_dir / CRITERIA_FILE,
                                       today=config.as_of)  # the run's day: delivery date and behandlet/<day>/
    except Exception as exc:
        log.exception("receiving the drop folder failed")
        return [f"Filerne i {DROP_FOLDER}/ er ikke modtaget ({type(exc).__name__}); de venter til næste kørsel."]
    for receipt in received.filed:
        log.info("%s", " ".join(receipt.lines_da()))
    return received.waiting_da()


@dataclass
class RunInputs:
    """This run's inputs (pipelines/load/inputs.py) and the record of the last build's."""

    parts: dict[str, str]
    hashes: FileHashes
    record: InputsRecord | None
    record_usable: bool  # the record still describes the warehouse files
    unchanged: bool  # the last build had these inputs, or these but a date inside its window: nothing to build
    full_rebuild: bool = False
    new_date_only: bool = False  # unchanged, though the as-of date is not the last build's

    @property
    def fingerprint(self) -> str:
        return fingerprint_of(self.parts)

    def dbt_selection(self, outcomes: list[IngestOutcome]) -> list[str] | None:
        if self.full_rebuild:
            return None
        changed = {o.table for o in outcomes if o.status == "loaded" and o.table}
        touched = {o.source_system for o in outcomes if o.status in ("loaded", "duplicate", "rejected")}
        return dbt_selection(self.record, self.record_usable, self.parts, changed, touched)


@task(name="compare-inputs", cache_policy=NO_CACHE)
def inputs_task(config: RunConfig, reference_dir: Path, full_rebuild: bool) -> RunInputs:
    progress.report("Sammenligner med sidste kørsel")
    record = read_record(config.warehouse)
    hashes = FileHashes(record.file_hashes if record else {})
    reference = {p.name: p for p in sorted(reference_dir.iterdir()) if p.is_file()}
    parts = input_parts(inbox_files(config.inbox), reference, config.as_of, config.plan_id,
                        fingerprint(load_key()), hashes)
    files = _warehouse_files(config)
    usable = record is not None and record.describes(files)
    same = not full_rebuild and unchanged_since_last_build(record, fingerprint_of(parts), files)
    new_date_only = not full_rebuild and not same and only_as_of_moved_within_window(record, parts, files)
    return RunInputs(parts, hashes, record, usable, same or new_date_only, full_rebuild, new_date_only)


def _warehouse_files(config: RunConfig) -> list[Path]:
    return [config.internal_warehouse, config.warehouse]


@task(name="republish-runs", cache_policy=NO_CACHE)
def republish_runs_task(config: RunConfig, runs: list[RunRecord]) -> None:
    progress.report("Intet nyt: opdaterer load_runs")
    republish_runs(config.warehouse, runs)


@task(name="prepare-build", cache_policy=NO_CACHE)
def prepare_build_task(config: RunConfig, reference_dir: Path) -> Path:
    from pipelines.load.build import prepare_build

    progress.report("Forbereder byggefil")
    return prepare_build(config.internal_warehouse, reference_dir / CRITERIA_FILE, config.as_of)


@task(name="discover", cache_policy=NO_CACHE)
def discover_task(config: RunConfig, build: Path, hashes: FileHashes) -> list[Delivery]:
    from pipelines.load.build import ledger_entries
    from pipelines.parse import registry

    progress.report("Finder nye leverancer")
    return discover(config.inbox, ledger_entries(build), registry(), hashes.sha256)


@task(name="ingest", cache_policy=NO_CACHE)
def ingest_task(config: RunConfig, build: Path, deliveries: list[Delivery],
                reference_dir: Path) -> list[IngestOutcome]:
    from pipelines.flows.delivery_step import ingest, parse_context
    from pipelines.flows.parallel_parse import parsed_in_order

    context = parse_context(reference_dir)
    outcomes = []
    to_do = [d for d in deliveries if d.decision is not Decision.SEEN]
    config.log_dir.mkdir(parents=True, exist_ok=True)
    with closing(parsed_in_order(to_do, reference_dir, config.log_dir / "parse-workers.log")) as ahead, \
            duckdb.connect(str(build)) as con:
        for index, delivery in enumerate(to_do, start=1):
            progress.report(f"Indlæser {delivery.file_name}", index, len(to_do))
            with timed("parse"):  # waiting for a worker's parse counts as parsing
                parsed = next(ahead)
            outcomes.append(ingest(con, delivery, context, parsed))
            if delivery.rejection is not None:  # raised inside `ingest`: its traceback holds `con` (see above)
                traceback.clear_frames(delivery.rejection.__traceback__)
            if index == 1:
                pause_at("ingest", config.warehouse.parent)
    return outcomes


@task(name="dbt-build", cache_policy=NO_CACHE)
def transform_task(build: Path, select: list[str] | None) -> DbtOutcome:
    progress.report("Beregner kriterier (dbt build)" + (" for det ændrede" if select else ""))
    log.info("dbt build %s", "--select " + " ".join(select) if select else "(alt)")
    return run_dbt_build(build, select=select)


@task(name="publish", cache_policy=NO_CACHE)
def publish_task(config: RunConfig, build: Path, runs: list[RunRecord]) -> None:
    progress.report("Publicerer lageret")
    publish(build, config.internal_warehouse, config.warehouse, runs)


def _remove_leftovers(config: RunConfig) -> None:
    """What a killed run may have left: its working folder and its build file (with WAL). Under the lock only."""
    for folder in config.warehouse.parent.glob(f"{RUN_DIR_PREFIX}*"):
        shutil.rmtree(folder, ignore_errors=True)
    remove_database(build_path(config.internal_warehouse))


def _summary_da(result: NightlyResult) -> str:
    loaded, duplicates, rejected = (len(result.with_status(s)) for s in ("loaded", "duplicate", "rejected"))
    text = f"Indlæst {loaded} filer, {duplicates} dubletter, {rejected} afvist."
    if result.rejected:
        text += " Afvist: " + ", ".join(o.file_name for o in result.rejected) + "."
    return " ".join([text, *result.state_notes, *result.waiting])


def _closed(record: RunRecord, result: NightlyResult, message: str) -> RunRecord:
    """The run's record as it ends now, with the result's outcome and counts."""
    return replace(record, finished_at=datetime.now(), outcome=result.outcome,
                   files_loaded=len(result.with_status("loaded")), files_rejected=len(result.rejected),
                   files_duplicate=len(result.with_status("duplicate")), message=message[:MESSAGE_LIMIT])


NOTHING_NEW_DA = ("Intet nyt siden sidste bygning: samme filer, referencefiler, kode og dato; "
                  "kun load_runs er opdateret.")


def nothing_new_on_new_date_da(as_of: date, built_as_of: str, valid_until: date | None) -> str:
    """The run's message when only the as-of date differs from the last build's, inside its window."""
    until = f"intet ændres før {valid_until:%d-%m-%Y}" if valid_until else "ingen senere dato ændrer noget"
    return (f"Intet nyt siden sidste bygning: samme filer, referencefiler og kode, og datoen {as_of:%d-%m-%Y} "
            f"giver de samme tabeller som bygningen pr. {date.fromisoformat(built_as_of):%d-%m-%Y} ({until}); "
            "kun load_runs er opdateret.")


def _run_stages(config: RunConfig, result: NightlyResult, full_rebuild: bool = False, report: bool = True,
                healed: HealedState | None = None) -> None:
    """The stages of a run that holds the lock; sets `result.outcome`, `failure` and `published`."""
    assert result.run is not None
    run_dir = config.run_dir(result.run.run_id)
    rebuild = healed is not None and healed.rebuild_internal
    try:
        with timed("prepare"):
            _remove_leftovers(config)
            if problem := run_space_problem(config, nothing_new=True):  # before the reference files are copied
                result.failure = problem
                return
            reference_dir, result.reference_origins = reference_task(config, run_dir)
            if dropped_files(config.sources_dir):  # before the inbox is compared or discovered
                result.waiting = receive_task(config, reference_dir)
            inputs = inputs_task(config, reference_dir, full_rebuild or rebuild)
        if problem := run_space_problem(config, inputs.unchanged):  # named before anything is copied
            result.failure = problem
            return
        if inputs.unchanged:
            _republish_nothing_new(config, result, inputs, report)
            return
        with timed("prepare"):
            build = prepare_build_task(config, reference_dir)
            with duckdb.connect(str(build)) as con:
                verify_key(con)  # before any person-level file is parsed: a missing or another key loads nothing
        with timed("discover"):
            deliveries = discover_task(config, build, inputs.hashes)
        result.outcomes = ingest_task(config, build, deliveries, reference_dir)  # times parse, validate, load
        if rebuild:
            result.state_notes.append(restore_history_task(build, config.warehouse))
        with timed("dbt"):
            dbt = transform_task(build, inputs.dbt_selection(result.outcomes))
        if not dbt.success:
            failures = "; ".join(dbt.failures[:5])
            disk_full = dbt.disk_full or is_disk_full(failures)
            result.failure = disk_full_in_run_da(config) if disk_full else "dbt build fejlede: " + failures
            return
        result.outcome = PUBLISHED_WITH_REJECTIONS if result.rejected else PUBLISHED
        final = _closed(result.run, result, _summary_da(result))
        with timed("publish"):
            window = read_as_of_window(build)  # before publish moves the build file
            publish_task(config, build, [*_other_runs(config, final), final])
            write_record(config.warehouse, inputs.fingerprint, _warehouse_files(config), inputs.hashes, inputs.parts,
                         window)
        _after_publish(config, result, final, report=report)
    except ReferenceProblem as problem:
        result.failure = problem.message + ". Intet er indlæst."
    except (MissingKeyError, KeyMismatchError) as exc:  # Danish already; nothing was loaded
        result.failure = str(exc)
    except Exception as exc:  # the run fails as a whole; the last good warehouse stays published
        log.exception("Nightly run %s failed", result.run.run_id)
        result.failure = failure_da(config, exc)
    finally:
        if not result.published:
            result.outcome = FAILED
        remove_database(build_path(config.internal_warehouse))
        shutil.rmtree(run_dir, ignore_errors=True)


@task(name="restore-history", cache_policy=NO_CACHE)
def restore_history_task(build: Path, published: Path) -> str:
    from pipelines.load.rebuild import restore_history

    progress.report("Henter historik fra det publicerede lager")
    return restore_history(build, published)


def _republish_nothing_new(config: RunConfig, result: NightlyResult, inputs: RunInputs, report: bool) -> None:
    """Inputs as in the last build (or but a date inside its window): the same tables, with this run added to
    load_runs (no build, no dbt). The record keeps describing the build: its inputs, date and window."""
    assert result.run is not None and inputs.record is not None
    build, window = inputs.record, inputs.record.as_of_window
    result.outcome, result.nothing_new = PUBLISHED, True
    if inputs.new_date_only and window is not None:
        message = nothing_new_on_new_date_da(config.as_of, build.parts["as_of"], window.valid_until)
        fingerprint, parts = build.fingerprint, build.parts
    else:
        message, fingerprint, parts = NOTHING_NEW_DA, inputs.fingerprint, inputs.parts
    final = _closed(result.run, result, " ".join([message, *result.waiting]))
    with timed("publish"):
        republish_runs_task(config, [*_other_runs(config, final), final])
        write_record(config.warehouse, fingerprint, _warehouse_files(config), inputs.hashes, parts, window)
    _after_publish(config, result, final, report=report)


def _other_runs(config: RunConfig, final: RunRecord) -> list[RunRecord]:
    return [r for r in read_runs(config.warehouse) if r.run_id != final.run_id]


def _after_publish(config: RunConfig, result: NightlyResult, final: RunRecord, *, report: bool) -> None:
    """Mark the run published, then the PostgreSQL targets and the board report (neither fails the run)."""
    from pipelines.publish.targets import publish_targets

    result.run, result.published = final, True
    append_run(config.warehouse, final)  # the run log agrees with the published load_runs even if the run stops now
    mark("published")
    pause_at("after-publish", config.warehouse.parent)
    if publish_targets() and (notes := publish_targets_task(config)):
        result.run = replace(result.run, message=(result.run.message + " " + " ".join(notes))[:MESSAGE_LIMIT])
    if not report:
        return
    from pipelines.report.freshness import report_is_current
    from pipelines.report.paths import nightly_report_dir

    if report_is_current(nightly_report_dir(config.warehouse), config.warehouse):
        progress.report("Rapporten er uændret: ingen status, mangel eller baseline er ændret")
    else:
        with timed("report"):
            try:
                report_task(config)
            except Exception as exc:  # the new warehouse stands; the board keeps the previous report
                log.exception("the board report failed")
                result.report_error = f"Rapporten blev ikke dannet: {type(exc).__name__}: {exc}"
    mark("report_done")


def finish_run(config: RunConfig, result: NightlyResult, message: str | None = None) -> NightlyResult:
    """The one exit of every run, skipped ones included: record it in the run log.

    Whatever must follow every run (the alerts of `pipelines/operate`) is one call after `append_run`,
    with `result.outcome`, `result.run` (the `load_runs` row) and `result.failure`.
    """
    assert result.run is not None
    if not result.run.finished:
        failed = " ".join([result.failure, *result.state_notes]) if result.failure else None
        result.run = _closed(result.run, result, message or failed or _summary_da(result))
    append_run(config.warehouse, result.run)
    alert_after_run(config.warehouse, result)  # seneste_koersel.md; e-mail after rejections or a failure
    return result


@task(name="publish-targets", cache_policy=NO_CACHE)
def publish_targets_task(config: RunConfig) -> list[str]:
    """PostgreSQL and other targets after the DuckDB publish; never fails the run. Called only when
    `publish_targets()` names some (`_after_publish`), so a run without targets makes no task of it."""
    from pipelines.publish.targets import publish_to_targets

    progress.report("Publicerer til PostgreSQL")
    return publish_to_targets(config.warehouse, config.plan_id)


def preload_validation_if_needed(config: RunConfig) -> None:
    """Start the GX import and the dbt child (pipelines/transform/dbt.py) on the spare core when the inbox may
    hold a file to validate and build (before Prefect starts in `kpi nightly`; at the flow's start when served,
    where the flow runs in a new process)."""
    if inbox_may_have_new_files([path for _, path in inbox_files(config.inbox)], config.warehouse):
        from pipelines.validate.suites import preload_in_background  # polars: not on a run with nothing new

        preload_in_background()
        preload_dbt_on_a_sound_target(config.warehouse)


def wait_for_validation_preload() -> None:
    """Let a started GX import finish before the process ends (none was started if suites was never imported);
    end a preloaded dbt child that no build took."""
    discard_preloaded_dbt()
    suites = sys.modules.get("pipelines.validate.suites")
    if suites is not None:
        suites.wait_for_preload()


def _healed_state(config: RunConfig, rebuild: bool) -> HealedState:
    """Check the state files and set damaged ones aside (pipelines/operate/healing.py); never fails the run."""
    try:
        return heal_warehouse_state(config, rebuild_requested=rebuild)
    except Exception:  # the run goes on as before the check; its own errors then say what is wrong
        log.exception("checking the warehouse's state files failed")
        return HealedState()


def flow_end_state(result: NightlyResult) -> NightlyResult | State:
    """A failed run ends its Prefect flow run Failed (the UI, the work pool and automations see what the run log
    says), with the Danish reason as the state's message and the result as its data; other runs end Completed.
    A caller of the flow takes it with `return_state=True` and `nightly_result`."""
    if result.outcome != FAILED:
        return result
    return Failed(message=(result.failure or "Natkørslen fejlede.")[:MESSAGE_LIMIT], data=result)


def nightly_result(state: State) -> NightlyResult:
    """The run's result from the flow's final state; an exception the flow raised is raised again, as a direct
    call of the flow would (the command's crash handling records it)."""
    outcome = state.result(raise_on_failure=False)
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def _skipped(config: RunConfig, result: NightlyResult, locked: RunLocked) -> NightlyResult:
    result.outcome, result.locked_by = SKIPPED_LOCKED, locked.holder
    return finish_run(config, result, str(locked))


def _new_result(run_id: str | None) -> NightlyResult:
    return NightlyResult(run=RunRecord(started_at=datetime.now(), **({"run_id": run_id} if run_id else {})))


def skipped_if_locked(config: RunConfig, run_id: str | None = None) -> NightlyResult | None:
    """The skipped run's result (recorded) when another run holds the lock now; None when it is free.

    For `kpi nightly`, so that it need not start Prefect's server for a run that cannot run. The flow
    takes the lock itself all the same (a run may start between this check and the flow).
    """
    try:
        RunLock(config.warehouse).acquire().release()
    except RunLocked as locked:
        return _skipped(config, _new_result(run_id), locked)
    return None


@task(name="report", cache_policy=NO_CACHE)
def report_task(config: RunConfig) -> None:
    from pipelines.report.build import write_report
    from pipelines.report.paths import nightly_report_dir
    from pipelines.report.programme import programme_heading

    progress.report("Danner bestyrelsesrapporten")
    catalog = config.own_reference / CRITERIA_FILE  # the programme's own catalog; else the project's
    write_report(config.warehouse, nightly_report_dir(config.warehouse),
                 programme=programme_heading(catalog if catalog.is_file() else PROJECT_REFERENCE_DIR / CRITERIA_FILE))


@flow(name="kpi-nightly", log_prints=False, validate_parameters=False)
def nightly_flow(sources_dir: str, warehouse: str, as_of: str | None = None,
                 run_id: str | None = None, plan_id: str = DEFAULT_PLAN_ID,
                 full_rebuild: bool = False, report: bool = True, rebuild: bool = False) -> NightlyResult | State:
    config = RunConfig(Path(sources_dir), Path(warehouse), date.fromisoformat(as_of) if as_of else date.today(),
                       plan_id)
    result = _new_result(run_id)
    try:
        lock = RunLock(config.warehouse).acquire()
    except RunLocked as locked:
        return _skipped(config, result, locked)
    startup = seconds_since_process_start() or 0.0  # interpreter, imports, Prefect's server
    try:
        assert result.run is not None
        healed = _healed_state(config, rebuild)  # before the run log is written to
        result.state_notes = [finding.line_da() for finding in take_noted()] + healed.lines_da()
        record_start(config.warehouse, result.run)
        preload_validation_if_needed(config)
        _run_stages(config, result, full_rebuild, report, healed)
        return flow_end_state(finish_run(config, result))
    finally:
        lock.release()
        log_totals(**{"start-up": startup})
        wait_for_validation_preload()
