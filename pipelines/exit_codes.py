"""Every exit code of `kpi`, defined once: commands exit with these, the nightly flow's outcomes map onto them,
and `kpi watch` reads them back from the `kpi nightly` it started."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    CONTRACT_BROKEN = 1  # `kpi check-contract`: the published file breaks the warehouse contract
    USAGE = 2  # bad input on the command line: an unknown criterion, a failing SQL query, a bad option value
    REJECTED = 3  # one or more deliveries were rejected; the rest is loaded and published
    FAILED = 4  # the run or command failed; the previously published warehouse stands unchanged
    LOCKED = 5  # another nightly holds the warehouse's run lock; this one was skipped
    STALE = 6  # `kpi status`: the last successful publication is older than 36 hours, none, or unreadable
