"""Ctrl-C and SIGTERM during a `kpi nightly`: remembered, not only raised.

Python runs a signal's handler between two bytecodes of the main thread, wherever it is. An exception raised
there can be lost: inside a finaliser (`__del__`, a weakref callback) Python prints "Exception ignored" and
goes on, and so does code that catches every exception. A run that lost its Ctrl-C would finish and publish.
So the handler also records the signal, and the run asks `raise_if_stop_asked()` at the points that matter:
before the flow starts and just before a publication replaces a file (docs/stack_facts.md, fact 10).
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator


class Terminated(KeyboardInterrupt):
    """SIGTERM during a run: it ends the way Ctrl-C does, through every `finally` (the server is stopped)."""


_asked: list[int] = []  # the signals received since `stop_on_signals` was entered (not cleared on leaving)


def _interrupt(signum: int, frame: object) -> None:
    _asked.append(signum)
    raise Terminated if signum == signal.SIGTERM else KeyboardInterrupt


def stop_asked() -> int | None:
    """The first stop signal received inside the latest `stop_on_signals`, if any."""
    return _asked[0] if _asked else None


def raise_if_stop_asked() -> None:
    """Raise the stop again if its first raising was lost; nothing when no stop was asked."""
    if (signum := stop_asked()) is not None:
        raise Terminated if signum == signal.SIGTERM else KeyboardInterrupt


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """SIGINT and SIGTERM raise KeyboardInterrupt and `Terminated` and are remembered, for the duration.

    Outside the main thread signals cannot be handled: then nothing changes and nothing is remembered.
    """
    _asked.clear()
    previous: dict[int, object] = {}
    try:
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, _interrupt)
    except ValueError:  # not the main thread
        pass
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
