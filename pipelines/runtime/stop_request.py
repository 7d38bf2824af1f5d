"""Ctrl-C and SIGTERM during a `kpi nightly`: remembered, not only raised.

Python runs a signal's handler between two bytecodes of the main thread, wherever it is. An exception raised
there can be lost: inside a finaliser (`__del__`, a weakref callback) Python prints "Exception ignored" and
goes on, and so does code that catches every exception. A run that lost its Ctrl-C would finish and publish.
So the signal is also recorded, and the run asks `raise_if_stop_asked()` at the points that matter: before the
flow starts and just before a publication replaces a file (docs/stack_facts.md, fact 10).

The record does not depend on whose Python handler is installed: during the flow Prefect's SIGTERM bridge is.
Python's own C-level handler writes every handled signal's number to the "wakeup fd" before any Python handler
runs (`signal.set_wakeup_fd`); here that is a pipe of our own, read when the run asks.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import traceback
from collections.abc import Iterator

log = logging.getLogger(__name__)


class Terminated(KeyboardInterrupt):
    """SIGTERM during a run: it ends the way Ctrl-C does, through every `finally` (the server is stopped)."""


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_asked: list[int] = []  # the stop signals received since `stop_on_signals` was entered (kept after leaving)
_wakeup_read: list[int] = []  # the wakeup pipe's read end, while `stop_on_signals` is active in the main thread


def _stop(signum: int) -> KeyboardInterrupt:
    return Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def _interrupt(signum: int, frame: object) -> None:
    raise _stop(signum)


def _log_unraisable(unraisable: sys.UnraisableHookArgs) -> None:
    """An exception Python could not raise (a finaliser's, a lost stop's) goes to the run's log as text, not to
    the terminal: an analyst never sees a traceback. Text only: keeping the exception would keep its frames."""
    text = "".join(traceback.format_exception(unraisable.exc_type, unraisable.exc_value, unraisable.exc_traceback))
    log.warning("%s: %r\n%s", unraisable.err_msg or "Exception ignored in", unraisable.object, text)


def _read_wakeup_pipe() -> None:
    if not _wakeup_read:
        return
    with contextlib.suppress(BlockingIOError):
        while received := os.read(_wakeup_read[0], 512):
            _asked.extend(signum for signum in received if signum in STOP_SIGNALS)


def stop_asked() -> int | None:
    """The first stop signal received inside the latest `stop_on_signals`, if any."""
    _read_wakeup_pipe()
    return _asked[0] if _asked else None


def raise_if_stop_asked() -> None:
    """Raise the stop again if its first raising was lost; nothing when no stop was asked, or outside
    `stop_on_signals` (a stop of an earlier run in this process does not stop later work)."""
    if _wakeup_read and (signum := stop_asked()) is not None:
        raise _stop(signum)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """SIGINT and SIGTERM raise KeyboardInterrupt and `Terminated`, and are recorded, for the duration; what Python
    cannot raise is logged, not printed.

    Outside the main thread signals cannot be handled: then nothing changes and nothing is recorded.
    """
    _asked.clear()
    read_end, write_end = os.pipe()
    os.set_blocking(read_end, False)
    os.set_blocking(write_end, False)
    try:
        previous_wakeup = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    except ValueError:  # not the main thread
        os.close(read_end)
        os.close(write_end)
        yield
        return
    _wakeup_read[:] = [read_end]
    previous = {signum: signal.signal(signum, _interrupt) for signum in STOP_SIGNALS}
    previous_hook, sys.unraisablehook = sys.unraisablehook, _log_unraisable
    try:
        yield
    finally:
        sys.unraisablehook = previous_hook
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        signal.set_wakeup_fd(previous_wakeup)
        _read_wakeup_pipe()
        _wakeup_read.clear()
        os.close(read_end)
        os.close(write_end)
