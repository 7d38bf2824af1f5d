"""`kpi nightly`: one run of the nightly flow per programme, with its log file, progress bar and Danish summary."""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from pipelines import prefect_runtime
from pipelines.commands.common import SourcesOption, WarehouseOption, console, err_console
from pipelines.exit_codes import ExitCode
from pipelines.settings import (
    DEFAULT_PLAN_ID,
    DEFAULT_SOURCES,
    DEFAULT_WAREHOUSE,
    current_prefect_home,
    prefect_home_problem,
    uses_temporary_prefect_server,
)

if TYPE_CHECKING:
    from pipelines.operate.server import TemporaryServer

NIGHTLY_FAILED_DA = "Natkørslen fejlede; det tidligere lager er stadig publiceret og uændret."
STOPPED_AFTER_PUBLISHING_DA = ("Natkørslen blev afbrudt efter publiceringen: det nye lager er publiceret, men "
                               "rapporten og eventuelle PostgreSQL-mål er måske ikke opdateret; næste kørsel gør det.")


@dataclass(frozen=True)
class NightlyOptions:
    """How `kpi nightly` runs: everything rebuilt or only what changed; with or without the board report."""

    full_rebuild: bool = False
    report: bool = True
    rebuild: bool = False  # set the internal file aside and build it from the deliveries (`kpi rebuild`)


def nightly(
    sources: SourcesOption = DEFAULT_SOURCES,
    warehouse: WarehouseOption = DEFAULT_WAREHOUSE,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Vurderingsdato ÅÅÅÅ-MM-DD (standard: i dag).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", help="Vis også bibliotekernes log (Prefect, GX, dbt).")] = False,
    programmes: Annotated[Path | None, typer.Option(
        "--programmes", help="Programfil (programmes.toml): byg hvert program i sit eget lager, ét ad gangen; "
                             "--sources og --warehouse gælder da ikke.")] = None,
    full_rebuild: Annotated[bool, typer.Option(
        "--full-rebuild", help="Byg alle dbt-modeller forfra, også når intet er nyt (ellers bygges kun det, "
                               "der afhænger af nye leverancer eller en ny vurderingsdato).")] = False,
    report: Annotated[bool, typer.Option(
        "--report/--no-report", help="Dan bestyrelsesrapporten efter publiceringen (med --no-report springes den "
                                     "over; den kan dannes senere med kpi report).")] = True,
) -> None:
    """Kør natkørslen én gang: find nye leverancer, valider, indlæs, beregn og publicer.

    Referencefiler tages én for én fra SOURCES/reference/, ellers fra projektets sources/reference/.
    Kun én natkørsel ad gangen pr. lager. Hver kørsel skriver en logfil i <lagerets mappe>/logs/.

    Exitkoder: 0 alt gik godt; 3 en eller flere leverancer blev afvist (resten er indlæst og
    publiceret); 4 kørslen fejlede, og det tidligere lager er stadig publiceret; 5 kørslen blev
    sprunget over, fordi en anden natkørsel er i gang for samme lager.
    """
    options = NightlyOptions(full_rebuild=full_rebuild, report=report)
    if programmes is not None:
        raise typer.Exit(_nightly_programmes(programmes, as_of, verbose, options))
    raise typer.Exit(_nightly_one(sources.resolve(), warehouse.resolve(), as_of, verbose, options=options))


# Of several programmes' exit codes, the one that matters most: a failure, a skip, rejections, all well.
EXIT_PRIORITY = (ExitCode.FAILED, ExitCode.LOCKED, ExitCode.REJECTED, ExitCode.OK)


def _nightly_programmes(path: Path, as_of: str | None, verbose: bool, options: NightlyOptions) -> int:
    from pipelines.publish.programmes import ProgrammesError, read_programmes
    from pipelines.runtime.stop_request import stop_asked

    try:
        listed = read_programmes(path.resolve())
    except ProgrammesError as exc:
        err_console.print(f"[red]{exc}[/red]", highlight=False)
        return ExitCode.FAILED
    codes = []
    for done, programme in enumerate(listed):
        console.print(f"[bold]Program {programme.plan_id}[/bold]: {programme.name}", highlight=False)
        codes.append(_nightly_one(programme.sources, programme.warehouse, as_of, verbose, programme.plan_id,
                                  options))
        if stop_asked() is not None and (left := [p.plan_id for p in listed[done + 1:]]):
            err_console.print(f"[red]Kørslen blev afbrudt; disse programmer er ikke kørt:[/red] {', '.join(left)}",
                              highlight=False)
            break
    return next(code for code in EXIT_PRIORITY if code in codes)


def _nightly_one(sources: Path, warehouse: Path, as_of: str | None, verbose: bool,
                 plan_id: str = DEFAULT_PLAN_ID, options: NightlyOptions | None = None) -> int:
    from pipelines.operate.run_logging import new_log_file
    from pipelines.privacy.cpr import MissingKeyError, load_key
    from pipelines.runtime.stop_request import stop_on_signals

    try:  # only `kpi init-key` creates a key: a run never invents one
        load_key()
    except MissingKeyError as exc:
        err_console.print(f"[red]Kørslen er ikke startet; intet er indlæst.[/red] {exc}", highlight=False)
        return ExitCode.FAILED
    if uses_temporary_prefect_server() and (problem := prefect_home_problem()):
        err_console.print(f"[red]Kørslen er ikke startet; intet er indlæst.[/red] {problem} Sæt PREFECT_HOME til "
                          "en mappe, du kan skrive i.", highlight=False)
        return ExitCode.FAILED
    log_file = new_log_file(warehouse.parent / "logs")
    run_id = uuid.uuid4().hex[:12]
    try:
        with stop_on_signals():
            result = _run_nightly(sources, warehouse, as_of, run_id, log_file, verbose, plan_id,
                                  options or NightlyOptions())
    except (Exception, KeyboardInterrupt) as exc:  # outside the flow's own handling: a paragraph, no traceback
        logging.getLogger("pipelines.cli").exception("kpi nightly failed")
        cause = _failure_cause(exc)
        if (published := _exit_code_if_published(warehouse, run_id)) is not None:  # stopped after publishing
            err_console.print(f"[yellow]{STOPPED_AFTER_PUBLISHING_DA}[/yellow] Årsag: {cause}\n"
                              f"Publiceret: {warehouse}\nDetaljer (til udviklerne): {log_file}", highlight=False)
            return published
        _record_crash(warehouse, run_id, cause)
        err_console.print(f"[red]{NIGHTLY_FAILED_DA}[/red] Årsag: {cause}\n"
                          f"Detaljer (til udviklerne): {log_file}", highlight=False)
        return ExitCode.FAILED
    _print_nightly(result, warehouse, log_file)
    return result.exit_code


def _heal_prefect_home() -> None:
    """Set a damaged prefect.db aside before Prefect's temporary server starts (the run reports it)."""
    from pipelines.operate.healing import heal_prefect_home

    try:
        heal_prefect_home(current_prefect_home())
    except Exception:  # the check must never stop a run; the start-up timeout message still explains
        logging.getLogger("pipelines.cli").exception("checking Prefect's database failed")


def _failure_cause(exc: BaseException) -> str:
    """The cause of a run that failed outside the flow's own handling, in Danish where we know it."""
    from pipelines.operate.server import TemporaryServerDidNotStart
    from pipelines.runtime.stop_request import Terminated

    if isinstance(exc, Terminated):
        return "afbrudt (SIGTERM)"
    if isinstance(exc, KeyboardInterrupt):
        return "afbrudt (Ctrl-C)"
    if isinstance(exc, TemporaryServerDidNotStart):
        from pipelines.operate.healing import set_prefect_db_aside_after_timeout

        home = current_prefect_home()
        return (f"Prefects midlertidige server startede ikke inden for {exc.seconds:g} sekunder "
                f"(PREFECT_HOME={home}); serverens egen fejl står i logfilen. "
                + set_prefect_db_aside_after_timeout(home)).strip()
    return f"{type(exc).__name__}: {exc}"


def _temporary_server(stack: contextlib.ExitStack, warehouse: Path, log_file: Path,
                      verbose: bool) -> TemporaryServer:
    """The run's own Prefect server (pipelines/operate/server.py), started now so that it starts while the run
    imports; its output into the run's log (--verbose: on the terminal). A run that will be skipped because
    another holds the warehouse's lock starts none."""
    from pipelines.operate.lock import RunLock, RunLocked
    from pipelines.operate.server import temporary_server

    _heal_prefect_home()
    server = stack.enter_context(temporary_server(current_prefect_home(), None if verbose else log_file))
    try:
        RunLock(warehouse).acquire().release()
    except RunLocked:
        return server
    server.spawn()
    return server


def _run_nightly(sources: Path, warehouse: Path, as_of: str | None, run_id: str, log_file: Path, verbose: bool,
                 plan_id: str = DEFAULT_PLAN_ID, options: NightlyOptions | None = None):
    options = options or NightlyOptions()
    if verbose:
        os.environ[prefect_runtime.LOGGING_LEVEL] = "INFO"
    from pipelines.operate.run_logging import route_logs

    route_logs(log_file, verbose)  # from here on nothing reaches the terminal but our own lines
    with contextlib.ExitStack() as stack:
        server = _temporary_server(stack, warehouse, log_file, verbose) if uses_temporary_prefect_server() else None
        return _run_nightly_flow(sources, warehouse, as_of, run_id, log_file, verbose, plan_id, options, server)


def _run_nightly_flow(sources: Path, warehouse: Path, as_of: str | None, run_id: str, log_file: Path,
                      verbose: bool, plan_id: str, options: NightlyOptions, server: TemporaryServer | None):
    from pipelines import progress
    from pipelines.flows.nightly import (
        nightly_flow,
        nightly_result,
        preload_validation_if_needed,
        skipped_if_locked,
        wait_for_validation_preload,
    )
    from pipelines.operate.run_logging import route_logs
    from pipelines.operate.server import startup_timeout
    from pipelines.runtime.stop_request import raise_if_stop_asked
    from pipelines.settings import RunConfig

    route_logs(log_file, verbose)  # again: Prefect's import added console handlers
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True, disable=verbose) as bar:
        task_id = bar.add_task("Starter Prefect", total=None)
        progress.listen(lambda stage, done, total: bar.update(task_id, description=stage,
                                                              completed=done, total=total or None))
        progress.listen(lambda stage, done, total: logging.getLogger("pipelines.progress").info(
            "%s%s", stage, f" ({done}/{total})" if total else ""))
        try:
            config = RunConfig(sources, warehouse, date.today(), plan_id)
            if skipped := skipped_if_locked(config, run_id):
                return skipped
            preload_validation_if_needed(config)
            if server is not None:
                server.wait_until_serving(startup_timeout())
            raise_if_stop_asked()
            return nightly_result(nightly_flow(str(sources), str(warehouse), as_of, run_id, plan_id,
                                               options.full_rebuild, options.report, options.rebuild,
                                               return_state=True))
        finally:
            progress.clear()
            wait_for_validation_preload()


def _exit_code_if_published(warehouse: Path, run_id: str) -> int | None:
    """The exit code of this run's outcome if it got as far as publishing (the flow records that the moment it
    has published), else None."""
    from pipelines.runtime.run_records import EXIT_CODES, PUBLISHED_OUTCOMES, read_runs

    try:
        runs = read_runs(warehouse)
    except OSError:
        return None
    return next((EXIT_CODES[r.outcome] for r in runs if r.run_id == run_id and r.outcome in PUBLISHED_OUTCOMES),
                None)


def _record_crash(warehouse: Path, run_id: str, cause: str) -> None:
    """A run that failed before or around the flow still gets its `load_runs` row (same run id)."""
    from datetime import datetime

    from pipelines.runtime.run_records import FAILED, RunRecord, append_run

    now = datetime.now()
    try:
        append_run(warehouse, RunRecord(now, now, FAILED, message=f"{NIGHTLY_FAILED_DA} {cause}"[:1000],
                                        run_id=run_id))
    except OSError:
        logging.getLogger("pipelines.cli").exception("could not record the failed run")


def _print_notices(notices: list[str]) -> None:
    """Expected notices as one line per kind, the rest as warnings; every notice goes into the run's log."""
    from pipelines.delivery.notices import summarise

    log = logging.getLogger("pipelines.cli")
    for notice in notices:
        log.info("Bemærkning: %s", notice)
    summary = summarise(notices)
    for line in summary.expected:
        console.print(line, highlight=False)
    for warning in summary.to_act_on:
        console.print(f"[yellow]Advarsel:[/yellow] {warning}", highlight=False)
    if summary.expected:
        console.print("Detaljer pr. fil: kørselsloggen og 'kpi deliveries'.", highlight=False)


def _print_nightly(result, warehouse: Path, log_file: Path) -> None:
    from pipelines.runtime.run_records import SKIPPED_LOCKED

    for line in result.reference_origins:
        console.print(line, highlight=False)
    if result.outcome == SKIPPED_LOCKED:
        err_console.print(f"[yellow]{result.run.message}[/yellow]", highlight=False)
        return
    loaded = result.with_status("loaded")
    console.print(f"Indlæst: {len(loaded)} filer, dubletter: {len(result.with_status('duplicate'))}, "
                  f"afvist: {len(result.rejected)}.")
    for note in result.state_notes:
        console.print(f"[yellow]Genopretning:[/yellow] {note}", highlight=False)
    for line in result.waiting:  # files left in modtaget/ (pipelines/receive); a name may hold brackets
        console.print(line, highlight=False, markup=False)
    if result.nothing_new:
        console.print(result.run.message, highlight=False)
    _print_notices([warning for outcome in loaded for warning in outcome.warnings])
    for outcome in result.rejected:
        console.print(f"[red]Afvist:[/red] {outcome.error}", highlight=False)
    if result.failure:
        err_console.print(f"[red]{NIGHTLY_FAILED_DA}[/red] Årsag: {result.failure}\n"
                          f"Detaljer (til udviklerne): {log_file}", highlight=False)
        return
    console.print(f"Publiceret: {warehouse}", highlight=False)
    if result.report_error:
        console.print(f"[yellow]Advarsel:[/yellow] {result.report_error}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(nightly)
