"""Test hook: stop a nightly at a named moment so that a test can kill it there (tests/test_crash_recovery.py).

With `KPI_PAUSE_AT_STAGE=<stage>` in the environment, `pause_at(<stage>, folder)` writes the marker file
`<folder>/kpi-paused-at-<stage>` (holding the PID) and sleeps for `KPI_PAUSE_SECONDS` (default 600).
Without the variable it does nothing. Stages: prepare-build, ingest, publish, publish-swapped, after-publish.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

PAUSE_ENV = "KPI_PAUSE_AT_STAGE"
PAUSE_SECONDS_ENV = "KPI_PAUSE_SECONDS"


def marker_file(stage: str, folder: Path) -> Path:
    return folder / f"kpi-paused-at-{stage}"


def pause_at(stage: str, folder: Path) -> None:
    if os.environ.get(PAUSE_ENV) != stage:
        return
    marker_file(stage, folder).write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(float(os.environ.get(PAUSE_SECONDS_ENV, "600")))
