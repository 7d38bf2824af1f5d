"""Helpers of the `kpi watch` end-to-end tests: start a watcher, drop files, wait for its lines, and take its
footprint (processes, open descriptors, memory, files) to compare one run with a later one."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import psutil
import pytest

from pipelines.operate.warm_run import ready_pid

WAIT_SECONDS = 300
SPARE_MODULE = "pipelines.spare_run"
WARM_UP_LOG = "watch-spare-warm-up.log"
# logs/ keeps the newest KEEP_LOG_FILES per command; dbt_target/ one compiled file per node a run selected
# (bounded by the project, but a run selecting other nodes adds theirs). Files are counted per folder: the
# report's chart cache names charts by content and prunes the old ones (same count, other names).
BOUNDED_FOLDERS = ("logs", "dbt_target")
SERVER_URL = re.compile(r"\((http://127\.0\.0\.1:\d+/api)\)")


def start_watcher(sources: Path, warehouse: Path, log: Path, env: dict[str, str], *extra: str) -> subprocess.Popen:
    kpi = Path(sys.executable).with_name("kpi")
    with log.open("w", encoding="utf-8") as out:
        return subprocess.Popen([str(kpi), "watch", "--sources", str(sources), "--warehouse", str(warehouse), *extra],
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                env={**os.environ, "COLUMNS": "200", **env})


def stop_watcher(watcher: subprocess.Popen, signum: int = signal.SIGINT) -> int:
    """Stop it as a user would; killed (its group) only when it does not stop within two minutes."""
    watcher.send_signal(signum)
    try:
        return watcher.wait(timeout=120)
    finally:
        if watcher.poll() is None:
            os.killpg(watcher.pid, signal.SIGKILL)


def wait_for(log: Path, text: str, process: subprocess.Popen, after: int = 0) -> int:
    """Bounded wait until `text` appears in the watcher's output after offset `after`; its offset."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = log.read_text(encoding="utf-8").find(text, after)
        if found >= 0:
            return found
        assert process.poll() is None, log.read_text(encoding="utf-8")
        time.sleep(0.2)
    pytest.fail(f"'{text}' did not appear within {WAIT_SECONDS} s:\n{log.read_text(encoding='utf-8')}")


def server_url(log: Path) -> str:
    """The URL of the Prefect server the watcher names in its first line."""
    match = SERVER_URL.search(log.read_text(encoding="utf-8"))
    assert match, log.read_text(encoding="utf-8")
    return match.group(1)


def descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def spare_of(watcher: subprocess.Popen) -> psutil.Process | None:
    for process in descendants(watcher.pid):
        try:
            if SPARE_MODULE in " ".join(process.cmdline()):
                return process
        except psutil.NoSuchProcess:
            continue
    return None


def wait_until_spare_is_warm(watcher: subprocess.Popen, log_dir: Path) -> int:
    """Bounded wait until the watcher's spare for the next run has finished its warm-up; its pid."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        spare = spare_of(watcher)
        warm_up = log_dir / WARM_UP_LOG
        if spare is not None and warm_up.is_file() and \
                ready_pid(warm_up.read_text(encoding="utf-8", errors="replace")) == spare.pid:
            return spare.pid
        assert watcher.poll() is None
        time.sleep(0.2)
    pytest.fail(f"the watcher's spare was not warm within {WAIT_SECONDS} s")


def drop_aggregate(inbox: Path, number: int, met: bool = True) -> Path:
    """A corrected web-analytics figure for 2021 (a small aggregate file), delivered `number` days after the
    sample's; `met=False` puts it under the criterion's +8 % (12.400 in 2020), so that its status changes."""
    visitors = (13_650 if met else 13_000) + number
    delivered = date(2022, 1, 15) + timedelta(days=number)
    path = inbox / "web_analytics" / f"web_analytics_2021_{delivered:%Y%m%d}.csv"
    text = ("Unikke besøgende på helhedsplanens hjemmeside (hele året)\n"
            "År;Område;Indikator;Værdi;Tæller;Nævner;Kilde\n"
            f"2021;Samlet;unikke_besoegende;{visitors // 1000}.{visitors % 1000:03d};;;Google Analytics\n")
    staging = path.with_name(f".{path.name}.part")  # written aside, then moved in whole, as a careful copy does
    staging.write_bytes(text.encode("latin-1"))
    os.replace(staging, path)
    return path


@dataclass(frozen=True)
class Footprint:
    """What a watcher holds between runs (with its spare warm): processes, descriptors, memory, files."""

    processes: tuple[str, ...]  # the watcher's descendants, by kind
    zombies: int
    open_fds: int
    rss_mib: float
    temp_entries: int  # in the watcher's TMPDIR
    warehouse_files: tuple[tuple[str, int], ...]  # files per folder below the warehouse's, BOUNDED_FOLDERS aside
    log_files: int


def process_kind(process: psutil.Process) -> str:
    command = " ".join(process.cmdline())
    if SPARE_MODULE in command:
        return "spare"
    if "uvicorn" in command or ("prefect" in command and "server" in command):
        return "prefect-server"
    return "dbt-child" if "dbt_worker" in command else command[:80]


def footprint(watcher: subprocess.Popen, temp_dir: Path, warehouse_dir: Path) -> Footprint:
    me = psutil.Process(watcher.pid)
    # The watcher's own processes (its server and its spare); what a spare starts while it warms up (dbt's child)
    # comes and goes with the spare's warm-up and is not the watcher's to keep.
    children = me.children(recursive=False)
    files = Counter(str(path.parent.relative_to(warehouse_dir)) for path in warehouse_dir.rglob("*")
                    if path.is_file() and path.relative_to(warehouse_dir).parts[0] not in BOUNDED_FOLDERS)
    return Footprint(
        processes=tuple(sorted(process_kind(p) for p in children if p.status() != psutil.STATUS_ZOMBIE)),
        zombies=sum(p.status() == psutil.STATUS_ZOMBIE for p in children),
        open_fds=me.num_fds(),
        rss_mib=me.memory_info().rss / 2**20,
        temp_entries=len(list(temp_dir.iterdir())),
        warehouse_files=tuple(sorted(files.items())),
        log_files=len(list((warehouse_dir / "logs").glob("*.log"))),
    )


def nightly_flow_runs(api: str, warehouse: Path, since: datetime) -> list[dict]:
    """The kpi-nightly flow runs for `warehouse` a Prefect server has started since `since` (REST API with
    explicit limits: the Prefect CLI gets 422 from this server, docs/stack_facts.md). A temporary server keeps
    its database in PREFECT_HOME, with the runs of earlier tests."""
    response = httpx.post(f"{api}/flow_runs/filter", timeout=10, json={
        "flows": {"name": {"any_": ["kpi-nightly"]}},
        "flow_runs": {"start_time": {"after_": since.astimezone(UTC).isoformat()}},
        "sort": "EXPECTED_START_TIME_ASC", "limit": 200, "offset": 0})
    response.raise_for_status()
    return [run for run in response.json() if run["parameters"].get("warehouse") == str(warehouse)]


def run_logs(log_dir: Path, since: set[Path]) -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted(set(log_dir.glob("kpi-nightly-*.log")) - since)]
