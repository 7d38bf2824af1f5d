"""`kpi-flow-run`: the command of a programme's deployment; hands the flow run to its worker's warm parent.

Prefect's process worker starts this instead of `python -m prefect.engine` (pipelines/flows/fleet.py registers
it). It passes its environment (the flow run's id among it), working folder and standard streams to the warm
parent that `kpi worker` started (pipelines/operate/warm_flow_runs.py), then waits: signals it gets (a
cancellation) go on to the run, and it exits as the run did. Without a warm parent (a plain `prefect worker`,
or one whose warm-up failed) it becomes `python -m prefect.engine` itself, so the run starts cold as before.
Only the standard library is imported on the way to the hand-off: this process costs milliseconds.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys

from pipelines.operate.warm_flow_runs import (
    ENGINE_MODULE,
    SOCKET_ENV,
    HandoffError,
    send_request,
    socket_address,
)

FORWARDED_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)


def start_cold(argv: list[str]) -> None:
    """Become `python -m prefect.engine` (does not return)."""
    os.execv(sys.executable, [sys.executable, "-m", ENGINE_MODULE, *argv])


def connect(name: str) -> socket.socket:
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(socket_address(name))
    except OSError as exc:
        connection.close()
        raise HandoffError(f"no warm parent at {name}: {exc}") from None
    return connection


class Lines:
    """The warm parent's answers, a line at a time ('pid N', 'exit N')."""

    def __init__(self, connection: socket.socket) -> None:
        self.connection, self.buffer = connection, b""

    def next(self) -> str | None:
        while b"\n" not in self.buffer:
            try:
                chunk = self.connection.recv(256)
            except InterruptedError:
                continue
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode()


def hand_off(name: str, argv: list[str]) -> int:
    """Run the flow run in the warm parent; its exit status (minus a signal's number). HandoffError before the
    run started (the caller starts cold); after that, a warm parent that went away is the run's failure."""
    connection = connect(name)
    try:
        send_request(connection, dict(os.environ), os.getcwd(), argv)
        answers = Lines(connection)
        first = answers.next()
    except OSError as exc:
        raise HandoffError(f"the warm parent did not take the run: {exc}") from None
    if first is None or not first.startswith("pid "):
        raise HandoffError(f"the warm parent did not start the run: {first!r}")
    run_pid = int(first.removeprefix("pid "))

    def forward(signum: int, _frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(run_pid, signum)

    for signum in FORWARDED_SIGNALS:
        signal.signal(signum, forward)
    last = answers.next()
    if last is None or not last.startswith("exit "):
        print(f"Den varme kørsel {run_pid} sluttede uden status (arbejderens varme proces er stoppet).",
              file=sys.stderr, flush=True)
        return 1
    return int(last.removeprefix("exit "))


def exit_as(status: int) -> None:
    """End this process as the run ended: with its exit code, or by the same signal."""
    if status < 0:
        signal.signal(-status, signal.SIG_DFL)
        os.kill(os.getpid(), -status)
    sys.exit(status)


HELP_DA = """Brug: kpi-flow-run [FLOW-RUN-ID]

Starter en Prefect-kørsel (flow run) fra den varme proces, som 'kpi worker' holder klar, eller, uden en sådan,
som 'python -m prefect.engine'. Kommandoen startes af arbejderen for de programmer, som
'kpi schedule --programmes' har registreret; den er ikke beregnet til at blive kørt i hånden.
Kørslens id tages fra argumentet eller fra det miljø, arbejderen giver kørslen."""


def main() -> None:
    argv = sys.argv[1:]
    if argv[:1] in (["--help"], ["-h"]):
        print(HELP_DA)
        return
    name = os.environ.get(SOCKET_ENV)
    if not name:
        start_cold(argv)
    try:
        status = hand_off(name, argv)
    except HandoffError as exc:
        print(f"Kørslen starter i en ny proces: {exc}.", file=sys.stderr, flush=True)
        start_cold(argv)
    exit_as(status)


if __name__ == "__main__":
    main()
