"""Helpers for the operating tests: run-log lines and small published warehouses with chosen contents."""

from __future__ import annotations

import email
import socket
from datetime import date, datetime, timedelta
from email import policy
from pathlib import Path

import duckdb

from pipelines.runtime.run_records import RunRecord, append_run


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def record_run(warehouse: Path, outcome: str, hours_ago: float, *, minutes: float = 2, loaded: int = 3,
               rejected: int = 0, message: str = "", now: datetime | None = None) -> RunRecord:
    started = (now or datetime.now()).replace(microsecond=0) - timedelta(hours=hours_ago)
    record = RunRecord(started_at=started, finished_at=started + timedelta(minutes=minutes), outcome=outcome,
                       files_loaded=loaded, files_rejected=rejected, message=message)
    append_run(warehouse, record)
    return record


def write_warehouse(warehouse: Path, gaps: list[tuple], *, with_v2_columns: bool = True) -> Path:
    """A published file with only `data_gaps`: rows (source_system, period, gap_type, supplier, due_date)."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse)) as con:
        extra = ", supplier varchar, due_date date" if with_v2_columns else ""
        con.execute("create table data_gaps (source_system varchar, criterion_id varchar, area_key varchar, "
                    f"period varchar, gap_type varchar, detail varchar{extra})")
        for source, period, gap_type, supplier, due in gaps:
            values = [source, "crit_x", "combined", period, gap_type, "detalje"]
            if with_v2_columns:
                values += [supplier, due]
            con.execute(f"insert into data_gaps values ({', '.join('?' * len(values))})", values)
    return warehouse


TODAY = date.today()


def write_rejected_delivery(good: Path, name: str) -> Path:
    """A copy of a good cp1252 CSV delivery whose first value is a word: the parser must reject it."""
    lines = good.read_bytes().split(b"\n")
    header_index = next(i for i, line in enumerate(lines) if line.count(b";") >= 3)
    cells = lines[header_index + 1].split(b";")
    cells[3] = b"mange"
    lines[header_index + 1] = b";".join(cells)
    bad = good.with_name(name)
    bad.write_bytes(b"\n".join(lines))
    return bad


class Inbox:
    """aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"
