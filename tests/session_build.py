"""Build a thing once per test session, however many pytest-xdist workers ask for it.

The first worker to take the lock builds; the others wait on the lock and reuse what it built. The outcome is
written beside the build, so a failure reaches every worker (each one fails with the builder's message) and no
worker hangs: the lock is a file lock, released when its holder exits, even when killed (then the next worker
builds instead).
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock


class SharedBuildFailed(Exception):
    """The build of a session-wide fixture failed in whichever worker built it."""


def session_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every worker of this test run sees: keyed by xdist's run id, the base temp folder without xdist."""
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not run_id:
        return tmp_path_factory.getbasetemp()
    folder = tmp_path_factory.getbasetemp().parent / f"session-{run_id}"
    folder.mkdir(exist_ok=True)
    return folder


def build_once(target: Path, build: Callable[[Path], dict]) -> dict:
    """`build(target)`'s JSON-able result, built by the first caller; a failure raises in every caller."""
    outcome = target.with_name(f"{target.name}.outcome.json")
    with FileLock(target.with_name(f"{target.name}.lock")):
        if not outcome.is_file():
            try:
                result = {"ok": True, "value": build(target)}
            except BaseException as error:  # pytest.fail and timeouts too: the waiting workers must hear of it
                outcome.write_text(json.dumps({"ok": False, "error": f"{type(error).__name__}: {error}"}))
                raise
            outcome.write_text(json.dumps(result))
        result = json.loads(outcome.read_text())
    if not result["ok"]:
        raise SharedBuildFailed(f"the shared build of {target.name} failed in another worker: {result['error']}")
    return result["value"]


def make_read_only(root: Path) -> None:
    """Files and folders without write permission: a test that writes into a shared build fails at once."""
    for path in [*root.rglob("*"), root]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def make_writable(root: Path) -> None:
    """Undo `make_read_only` on a copy."""
    for path in [root, *root.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | stat.S_IWUSR)
