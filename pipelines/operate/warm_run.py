"""A spare run process of `kpi watch`: warm before its run is known, then exactly one `kpi nightly`, then exit.

`python -m pipelines.spare_run [--warm-up-log FILE] [--warehouse FILE]` (it gives `main` the `kpi` app).
The watcher (pipelines/operate/warm_spare.py)
starts one ahead of time, with the environment of the run (Prefect's API URL included) and the run's output
file as stdout and stderr. The process imports everything slow (pipelines/operate/warm_up.py), with its
own output meanwhile going to the warm-up log (never into a run's output), and then waits for one line on
stdin: a JSON object `{"arguments": ["nightly", ...]}`, the arguments of `kpi nightly`. It runs them through
the `kpi` command itself, so that output and exit code are those of `kpi nightly`, and exits. End of input
without a line (the watcher stopped, or it died) ends the process without a run.

One run per process keeps what `kpi nightly` subprocesses gave the watcher: a crash or a native abort ends
one run only, nothing a run allocates stays in a process that lives for months, and a stop ends the run's
whole process group.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from pipelines.exit_codes import ExitCode

RUN_COMMAND = "nightly"  # the only command a spare runs
READY_LINE = "warm: ready for a run"  # the warm-up log's last line once the spare is warm
BAD_REQUEST_DA = "Reservekørslen fik en ugyldig besked fra overvågningen og kørte ikke"


class BadRequest(ValueError):
    """The line on stdin was not `{"arguments": ["nightly", ...]}`."""


def request_line(arguments: list[str]) -> bytes:
    """The line the watcher writes to a spare's stdin for one run."""
    return (json.dumps({"arguments": arguments}) + "\n").encode("utf-8")


def parse_request(line: bytes) -> list[str]:
    """The `kpi` arguments of a request line; BadRequest unless they are a `kpi nightly` command line."""
    try:
        arguments = json.loads(line)["arguments"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BadRequest(f"not a run request: {exc}") from None
    if not (isinstance(arguments, list) and arguments[:1] == [RUN_COMMAND]
            and all(isinstance(word, str) for word in arguments)):
        raise BadRequest(f"not a `kpi {RUN_COMMAND}` command line: {arguments!r}")
    return arguments


def read_request(stdin: BinaryIO) -> list[str] | None:
    """The run's arguments, or None at end of input (no run)."""
    line = stdin.readline()
    return parse_request(line) if line.strip() else None


@contextlib.contextmanager
def output_to(path: Path | None) -> Iterator[None]:
    """Descriptors 1 and 2 into `path` (None: nowhere) for the duration, so that what imports print during the
    warm-up never reaches the run's output; restored afterwards."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    target = os.open(path if path is not None else os.devnull, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.dup2(target, 1)
        os.dup2(target, 2)
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, target):
            os.close(fd)


def ready_line(pid: int, warm_up_seconds: float) -> str:
    """The warm-up log's last line once spare `pid` is warm."""
    return f"{READY_LINE} (pid {pid}, warm-up {warm_up_seconds:.1f} s)"


def ready_pid(warm_up_log_text: str) -> int | None:
    """The pid of the spare whose warm-up log this is, once it has said it is warm; else None."""
    ready = [line for line in warm_up_log_text.splitlines() if line.startswith(READY_LINE + " (pid ")]
    return int(ready[-1].removeprefix(READY_LINE + " (pid ").split(",", 1)[0]) if ready else None


def main(run_kpi: Callable[[list[str]], None], argv: list[str] | None = None) -> int:
    """Warm up, wait for the run's arguments, `run_kpi(arguments)` (the `kpi` app: it exits with the run's code)."""
    parser = argparse.ArgumentParser(prog="python -m pipelines.spare_run", description=__doc__.split("\n")[0])
    parser.add_argument("--warm-up-log", type=Path, default=None, help="where the warm-up's own output goes")
    parser.add_argument("--warehouse", type=Path, default=None,
                        help="the published warehouse the run will build: dbt is imported and parsed for it ahead")
    options = parser.parse_args(argv)
    started = time.monotonic()

    from pipelines.settings import apply_quiet_offline_env

    apply_quiet_offline_env()  # before Prefect, dbt or GX is imported, as `kpi` does
    with output_to(options.warm_up_log):
        from pipelines.operate.warm_up import warm_up

        warm_up(options.warehouse)
        print(ready_line(os.getpid(), time.monotonic() - started), flush=True)
    try:
        arguments = read_request(sys.stdin.buffer)
    except BadRequest as exc:
        print(f"{BAD_REQUEST_DA} ({exc}).", file=sys.stderr)
        return ExitCode.FAILED
    except KeyboardInterrupt:  # stopped while waiting for its run
        return 0
    if arguments is None:
        return 0
    from pipelines.timings import run_starts_now

    run_starts_now()  # its start-up is what the run waits for now, not the warm-up
    run_kpi(arguments)  # exits with `kpi nightly`'s own exit code
    return 0
