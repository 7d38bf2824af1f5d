"""What changed since the last report: statuses and values then against now, and the state file that
remembers which data version the previous report showed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipelines.report.model import StatusRow

STATE_FILE_NAME = ".kpi_rapport_state.json"


@dataclass(frozen=True)
class Change:
    criterion_id: str
    area_key: str
    period: str
    old_status: str | None  # None: the row did not exist then
    old_value: float | None
    new_status: str | None  # None: the row is gone now
    new_value: float | None
    new_reason: str | None


def _same_value(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def is_hidden(row: StatusRow) -> bool:
    """The row's value is hidden by rule 8 (or by the source): no figure, status `suppressed`."""
    return row.status == "suppressed" and row.value is None


def status_changes(old: list[StatusRow], new: list[StatusRow]) -> list[Change]:
    """Rows (criterion × area × period) whose status or value differs, including rows that appeared or went.

    A figure hidden now is hidden in its earlier version too (rule 8 across versions): "then" would otherwise
    give back a cell that today's totals protect. kpi_status_history already hides it; this holds for any
    `old` rows, e.g. from a warehouse built before that rule.
    """
    def key(row: StatusRow) -> tuple[str, str, str]:
        return (row.criterion_id, row.area_key, row.period)

    before = {key(r): r for r in old}
    after = {key(r): r for r in new}
    changes = []
    for k in sorted(before.keys() | after.keys()):
        was, now = before.get(k), after.get(k)
        if was and now and is_hidden(now):
            was = now
        if was and now and was.status == now.status and _same_value(was.value, now.value):
            continue
        changes.append(Change(*k, was.status if was else None, was.value if was else None,
                              now.status if now else None, now.value if now else None,
                              now.status_reason if now else None))
    return changes


@dataclass(frozen=True)
class PreviousReport:
    generated_at: datetime
    data_version: datetime
    content: str | None = None  # digest of the published tables it showed (pipelines/report/freshness.py)


def state_file(out_dir: Path) -> Path:
    return out_dir / STATE_FILE_NAME


def read_state(out_dir: Path) -> PreviousReport | None:
    """The previous report written to this directory, or None (no report yet, or an unreadable file)."""
    path = state_file(out_dir)
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        return PreviousReport(datetime.fromisoformat(state["generated_at"]),
                              datetime.fromisoformat(state["data_version"]), state.get("content"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_state(out_dir: Path, generated_at: datetime, data_version: datetime | None,
                content: str | None = None) -> None:
    if data_version is None:
        return
    state_file(out_dir).write_text(json.dumps({"generated_at": generated_at.isoformat(),
                                               "data_version": data_version.isoformat(),
                                               "content": content}), encoding="utf-8")


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min)
