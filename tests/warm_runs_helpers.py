"""A warm parent with a stand-in for Prefect's engine, for tests/test_warm_flow_runs.py.

`python -m tests.warm_runs_helpers NAME` serves on the abstract socket NAME; each run prints its pid, its
arguments and one variable of its environment, then acts on its first argument: `exit:N` exits with N,
`sleep` sleeps until signalled, `orphan:FILE` starts a sleeping grandchild, writes its pid to FILE and exits.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from pipelines.operate.subreaper import adopt_orphans
from pipelines.operate.warm_flow_runs import Request, WarmParent, finish_like_an_interpreter, take_streams

SLEEPER = "import time; time.sleep(600)  # warm-runs-test grandchild"


def stand_in_run(request: Request, temp_dir: Path) -> int:
    take_streams(request)
    print(f"pid={os.getpid()} argv={request.argv} marker={request.env.get('WARM_TEST_MARKER')} "
          f"cwd={request.cwd} temp={temp_dir.is_dir()}", flush=True)
    action = request.argv[0] if request.argv else ""
    if action.startswith("exit:"):
        return finish_like_an_interpreter(int(action.removeprefix("exit:")))
    if action == "sleep":
        time.sleep(600)
    if action.startswith("orphan:"):
        grandchild = subprocess.Popen([sys.executable, "-c", SLEEPER])
        Path(action.removeprefix("orphan:")).write_text(str(grandchild.pid))
        return finish_like_an_interpreter(0)
    return finish_like_an_interpreter(3)


if __name__ == "__main__":
    adopt_orphans()
    parent = WarmParent.listening(sys.argv[1], stand_in_run)
    print("listening", flush=True)
    parent.serve_forever(tick=0.1)
