"""A process's ties to its parent and its descendants (Linux `prctl`): die with the parent, adopt the orphans,
and reap what was adopted. One home for `kpi watch`, the flows' runner and the warm parent of `kpi worker`.

Only the standard library at module level: the warm-run client (pipelines/flow_run_handoff.py) reads
pipelines/operate/warm_flow_runs.py, which imports this module; psutil is imported where it is used.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
from collections.abc import Iterable

PR_SET_PDEATHSIG = 1  # linux/prctl.h
PR_SET_CHILD_SUBREAPER = 36


def prctl(option: int, value: int) -> None:
    """Linux's prctl(2) with one argument; OSError when the kernel refuses it or there is no such call."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        result = libc.prctl(option, value, 0, 0, 0)
    except AttributeError as exc:  # not Linux
        raise OSError(f"prctl({option}) is not available") from exc
    if result != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}) failed")


def die_with_parent(expected_parent: int, signum: int = signal.SIGKILL) -> None:
    """Get `signum` when the parent ends; if the parent is gone already (this process was adopted), end now.
    Not inherited across fork: each process that must die with its parent asks for itself."""
    prctl(PR_SET_PDEATHSIG, signum)
    if os.getppid() != expected_parent:
        os._exit(1)


def adopt_orphans() -> bool:
    """Become the subreaper of this process's descendants, so that what a run leaves running when its own
    parent ends (dbt under a flow run cut short) becomes this process's child, to stop and to reap. False
    where the kernel cannot (not Linux): then such orphans go to init, as without this call."""
    try:
        prctl(PR_SET_CHILD_SUBREAPER, 1)
    except OSError:
        return False
    return True


def reap_adopted(own: Iterable[int], *, kill_live: bool = False) -> list[int]:
    """Reap the children this process adopted as subreaper; `own` are children it waits for in another way
    (a Popen object, a run's pidfd), and are left alone. The live ones are killed first when `kill_live`,
    otherwise left running. The reaped pids."""
    import psutil

    keep, reaped = set(own), []
    for child in psutil.Process().children():
        if child.pid in keep:
            continue
        with contextlib.suppress(psutil.Error, ChildProcessError):
            if child.status() != psutil.STATUS_ZOMBIE:
                if not kill_live:
                    continue
                child.kill()
            os.waitpid(child.pid, 0)
            reaped.append(child.pid)
    return reaped


def run_module_dying_with_parent(argv: list[str]) -> None:
    """`python -m pipelines.operate.subreaper PARENT_PID MODULE [ARG ...]`: run MODULE as `python -m MODULE`
    would, and have it get SIGTERM (a clean shutdown) when PARENT_PID ends, whatever ends it (SIGKILL
    included). The temporary Prefect server is started this way."""
    import runpy
    import sys

    parent, module, *arguments = argv
    die_with_parent(int(parent), signal.SIGTERM)
    sys.argv = [module, *arguments]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    import sys

    run_module_dying_with_parent(sys.argv[1:])
