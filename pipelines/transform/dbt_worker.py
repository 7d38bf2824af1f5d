"""The child process that runs one `dbt build` (started by pipelines/transform/dbt.py, `WarmDbt`).

It imports dbt and parses the project (dbt's partial parse) as soon as it starts, says so on stdout (`{"parsed": …}`),
then waits on stdin for one line, the JSON list of `--select` arguments (`null`: everything), builds with the
parsed manifest, answers one JSON line on stdout (`success`, the `results` as run_results.json lists them,
`exception`) and exits, which
closes dbt-duckdb's database handle. End of stdin without a line: nothing is built (the run did not get that
far). Everything dbt itself prints goes to stderr, which the parent captures and keeps out of the terminal; dbt's
log file is in `--log-path`.

Usage: python -m pipelines.transform.dbt_worker PROJECT_DIR TARGET_DIR LOG_DIR [--threads N]
(the build file is the profile's KPI_BUILD_DB).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
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


def serve(options: list[str], requests: TextIO, answers: TextIO) -> int:
    """Parse now; build on the request; the exit status of the `dbt` command (0 built, 1 failures, 2 error)."""
    from dbt.cli.main import dbtRunner

    parsed = dbtRunner().invoke(["parse", *options])
    manifest = parsed.result if parsed.success else None  # else the build parses (and reports) anew
    answers.write(json.dumps({"parsed": parsed.success}) + "\n")
    answers.flush()
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


if __name__ == "__main__":
    sys.exit(main())
