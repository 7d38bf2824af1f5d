"""The child process that runs one `dbt build` (started by pipelines/transform/dbt.py, `WarmDbt`).

It imports dbt and parses the project (dbt's partial parse) as soon as it starts, says so on stdout (`{"parsed": …}`),
then waits on stdin for one line, the JSON list of `--select` arguments (`null`: everything), builds with the
parsed manifest, answers one JSON line on stdout (`success`, the `results` as run_results.json lists them,
`exception`) and exits, which
closes dbt-duckdb's database handle. End of stdin without a line: nothing is built (the run did not get that
far). Everything dbt itself prints goes to stderr, which the parent captures and keeps out of the terminal; dbt's
log file is in `--log-path`.

Two costs are moved off the build's path (measured on a new quarter at municipal scale, 2 cores):
- while it waits for the selection, the child imports what the project's Python models import (the disclosure
  model's scipy, ~0,6 s of the build otherwise);
- it exits with `os._exit` once the answer is written, dbt's log flushed and the database closed: the parent waits
  for the exit before publishing, and the interpreter's teardown of dbt's modules took ~0,4 s.

Usage: python -m pipelines.transform.dbt_worker PROJECT_DIR TARGET_DIR LOG_DIR [--threads N]
(the build file is the profile's KPI_BUILD_DB).
"""

from __future__ import annotations

import argparse
import ast
import importlib
import json
import logging
import os
import sys
import traceback
from collections.abc import Iterator
from typing import Any, TextIO

BUILD_OPTIONS = ["--exclude-resource-type", "unit_test"]  # unit tests run in `make test` (dbt.py)


def common_options(project_dir: str, target_dir: str, log_dir: str, threads: int | None) -> list[str]:
    """The options of every dbt command here: quiet, offline, the run's target and log folders.

    `--no-write-json`: the nightly reads the results from the build's return value, so dbt need not write
    manifest.json, semantic_manifest.json and run_results.json (partial_parse.msgpack is written all the same).
    `--log-level-file info`: dbt's file log at debug wrote ~1,6 MB a run (every statement), so a watcher's
    dbt_logs grew a rotated file every six runs (the 100-run leak test found it); at info a run writes a few KB,
    and dbt's own rotation (10 MB, five backups) bounds the folder.
    """
    return ["--no-version-check", "--quiet", "--no-write-json", "--log-level-file", "info",
            "--project-dir", project_dir, "--profiles-dir", project_dir, "--target-path", target_dir,
            "--log-path", log_dir,
            *(["--threads", str(threads)] if threads else [])]


def node_results(result: Any) -> list[dict[str, str | None]]:
    """The nodes of a build's RunExecutionResult, each with its unique_id, status and message."""
    return [{"unique_id": node.node.unique_id, "status": str(node.status), "message": node.message}
            for node in getattr(result, "results", None) or []]


def imported_modules(python_code: str) -> Iterator[str]:
    """The absolute modules a Python model's code imports (`import a.b`, `from a.b import c`)."""
    for statement in ast.walk(ast.parse(python_code)):
        if isinstance(statement, ast.Import):
            yield from (alias.name for alias in statement.names)
        elif isinstance(statement, ast.ImportFrom) and statement.module and not statement.level:
            yield statement.module


def preimport_python_models(manifest: Any) -> None:
    """Import the modules the manifest's Python models import, so that running them does not. A module that
    fails to import is left for the model's own run, which reports it as dbt does."""
    for node in getattr(manifest, "nodes", {}).values():
        if getattr(node, "language", None) == "python":
            for module in imported_modules(node.raw_code):
                try:
                    importlib.import_module(module)
                except Exception:  # the model's run raises it again, with dbt's context
                    continue


def close_build_database() -> None:
    """Close dbt-duckdb's database handle (it keeps one for the life of the process), which checkpoints the file."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        environment.close()
        DuckDBConnectionManager._ENV = None


def serve(options: list[str], requests: TextIO, answers: TextIO) -> int:
    """Parse now; build on the request; the exit status of the `dbt` command (0 built, 1 failures, 2 error)."""
    from dbt.cli.main import dbtRunner

    parsed = dbtRunner().invoke(["parse", *options])
    manifest = parsed.result if parsed.success else None  # else the build parses (and reports) anew
    answers.write(json.dumps({"parsed": parsed.success}) + "\n")
    answers.flush()
    preimport_python_models(manifest)
    request = requests.readline()
    if not request:
        return 0
    runner = dbtRunner(manifest=manifest)
    select = json.loads(request)
    built = runner.invoke(["build", *options, *BUILD_OPTIONS, *(["--select", *select] if select else [])])
    exception = None
    if built.exception is not None:
        exception = "".join(traceback.format_exception(built.exception)).strip()
        print(exception, file=sys.stderr)
    answers.write(json.dumps({"success": built.success, "results": node_results(built.result),
                              "exception": exception}) + "\n")
    answers.flush()
    if built.success:
        return 0
    return 2 if built.exception is not None else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project_dir")
    parser.add_argument("target_dir")
    parser.add_argument("log_dir")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # dbt's own prints join stderr, off the answer channel
    with answers:
        return serve(common_options(args.project_dir, args.target_dir, args.log_dir, args.threads),
                     sys.stdin, answers)


def exit_now(code: int) -> None:
    """Leave without the interpreter's teardown: close the database, flush dbt's log and the streams, `_exit`."""
    try:
        close_build_database()
    except Exception:  # the exit releases the file all the same; DuckDB replays its WAL on the next open
        traceback.print_exc()
    finally:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    exit_now(main())
