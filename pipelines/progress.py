"""A tiny progress hook: stages report here, the CLI shows it. No-op unless someone listens."""

from __future__ import annotations

from collections.abc import Callable

_listeners: list[Callable[[str, int, int], None]] = []


def listen(callback: Callable[[str, int, int], None]) -> None:
    _listeners.append(callback)


def clear() -> None:
    _listeners.clear()


def report(stage: str, done: int = 0, total: int = 0) -> None:
    for callback in _listeners:
        callback(stage, done, total)
