"""The record of every nightly run, including skipped ones: `<warehouse stem>.runs.jsonl` beside the warehouse.

A run appends one JSON line when it starts (outcome `failed`, no `finished_at`: what stays if the run is
killed) and one when it ends, with the same `run_id`; `read_runs` keeps the last line per run. Each append is
one write with O_APPEND, so concurrent appends never interleave. A run that is skipped because another holds
the lock appends its line too; the next publish copies all runs into the published `load_runs` table
(warehouse_contract.md, extension tables).
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from pipelines.contract_columns import EXTENSION_TABLES
from pipelines.exit_codes import ExitCode
from pipelines.privacy.detector import mask_cpr
from pipelines.vocabulary import words

OUTCOMES = tuple(words("run_outcome"))  # the contract's run outcomes (vocabulary seed)
# The outcomes by name (tests/test_one_home.py holds them to the vocabulary seed).
PUBLISHED = "published"
PUBLISHED_WITH_REJECTIONS = "published_with_rejections"
FAILED = "failed"
SKIPPED_LOCKED = "skipped_locked"
PUBLISHED_OUTCOMES = (PUBLISHED, PUBLISHED_WITH_REJECTIONS)
EXIT_CODES = {PUBLISHED: ExitCode.OK, PUBLISHED_WITH_REJECTIONS: ExitCode.REJECTED, FAILED: ExitCode.FAILED,
              SKIPPED_LOCKED: ExitCode.LOCKED}
LOAD_RUNS_COLUMNS = EXTENSION_TABLES["load_runs"]

UNFINISHED_MESSAGE = ("Kørslen er ikke afsluttet: den er i gang, eller den blev afbrudt (fx kill -9 eller "
                      "strømsvigt), før den kunne skrive sit resultat.")


@dataclass
class RunRecord:
    """One row of `load_runs`. `message` is Danish, one short paragraph."""

    started_at: datetime
    finished_at: datetime | None = None
    outcome: str | None = None
    files_loaded: int = 0
    files_rejected: int = 0
    files_duplicate: int = 0
    message: str = ""
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])

    def as_json(self) -> str:
        data = asdict(self)
        data["message"] = mask_cpr(data["message"])  # defence in depth: the run log feeds load_runs
        for key in ("started_at", "finished_at"):
            data[key] = data[key].isoformat(timespec="seconds") if data[key] else None
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> RunRecord:
        data = json.loads(line)
        for key in ("started_at", "finished_at"):
            data[key] = datetime.fromisoformat(data[key]) if data.get(key) else None
        return cls(**data)

    @property
    def finished(self) -> bool:
        """False for a run that is still going, or that was killed before it could record its end."""
        return self.finished_at is not None

    def as_row(self) -> tuple:
        """The record as a `load_runs` row, in LOAD_RUNS_COLUMNS order."""
        return tuple(getattr(self, column) for column in LOAD_RUNS_COLUMNS)

    @property
    def duration_seconds(self) -> float | None:
        return (self.finished_at - self.started_at).total_seconds() if self.finished_at else None


def runlog_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.stem + ".runs.jsonl")


def append_run(warehouse: Path, record: RunRecord) -> None:
    if record.outcome not in OUTCOMES:
        raise ValueError(f"unknown run outcome {record.outcome!r}")
    path = runlog_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (record.as_json() + "\n").encode("utf-8"))
    finally:
        os.close(fd)


def record_start(warehouse: Path, record: RunRecord) -> None:
    """The line that stands for a run until it ends: `failed`, no `finished_at`, UNFINISHED_MESSAGE."""
    append_run(warehouse, RunRecord(record.started_at, outcome=FAILED, message=UNFINISHED_MESSAGE,
                                    run_id=record.run_id))


def read_runs(warehouse: Path) -> list[RunRecord]:
    """Every recorded run, oldest first, in its last recorded state; a torn line (a run killed mid-write) is skipped."""
    path = runlog_path(warehouse)
    if not path.is_file():
        return []
    runs: dict[str, RunRecord] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = RunRecord.from_json(line)
        except (ValueError, TypeError, KeyError, AttributeError):
            continue
        runs[record.run_id] = record
    return sorted(runs.values(), key=lambda r: r.started_at)
