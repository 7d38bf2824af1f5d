"""Parsing ahead in worker processes (pipelines/flows/parallel_parse.py) gives what the run's own parse gives.

What it protects: a large first load is parsed by workers; the frames, warnings and rejections (with row and
column) must be the same as in-process, and in delivery order. Reproduce a failure: make `parsed_in_order`
yield its results as they complete instead of in order.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipelines.delivery.discover import Decision, discover
from pipelines.delivery.errors import DeliveryRejected
from pipelines.flows import parallel_parse as parallel
from pipelines.flows.delivery_step import parse_delivery
from pipelines.parse import registry
from tests.conftest import REFERENCE_DIR
from tests.delivery_files import SAMPLE_INBOX


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    root = tmp_path / "inbox"
    for source in ("uu_registration", "police_haervaerk", "kmd_opera"):
        shutil.copytree(SAMPLE_INBOX / source, root / source)
    broken = root / "police_haervaerk" / "police_haervaerk_2025_20261101.csv"
    data = (root / "police_haervaerk" / "police_haervaerk_2025_20260214.csv").read_bytes()  # Windows-1252
    assert b";21\r\n" in data
    broken.write_bytes(data.replace(b";21\r\n", b";tyve\r\n", 1))  # a count that is not a number
    return root


def test_workers_parse_what_the_run_would_in_the_same_order(inbox: Path, parse_context,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    deliveries = [d for d in discover(inbox, [], registry()) if d.decision is Decision.LOAD]
    assert parallel.worth_parallel(deliveries) == (parallel.worker_count() >= 2)
    ahead = list(parallel.parsed_in_order(deliveries, REFERENCE_DIR))
    assert len(ahead) == len(deliveries) > 10
    rejected = 0
    for delivery, parsed in zip(deliveries, ahead, strict=True):
        try:
            own = parse_delivery(delivery, parse_context)
        except DeliveryRejected as rejection:
            own = rejection
        if parsed is None:  # one core: the run parses everything itself
            continue
        assert type(parsed) is type(own), delivery.file_name
        if isinstance(own, DeliveryRejected):
            rejected += 1
            assert (parsed.message, parsed.row, parsed.column) == (own.message, own.row, own.column)
        else:
            assert parsed.frame.equals(own.frame) and parsed.warnings == own.warnings and parsed.table == own.table
    assert rejected == (1 if parallel.worker_count() >= 2 else 0)


def test_a_small_run_is_parsed_in_the_run_itself(inbox: Path) -> None:
    deliveries = discover(inbox, [], registry())
    assert not parallel.worth_parallel(deliveries[:1])
    assert list(parallel.parsed_in_order(deliveries[:3], REFERENCE_DIR)) == [None, None, None]


def test_a_rejection_survives_the_trip_between_processes() -> None:
    import pickle

    rejection = DeliveryRejected("f.csv", "tekst", "et tal", row=7, column="Antal").in_cell("Ark", "D7")
    back = pickle.loads(pickle.dumps(rejection))
    assert (back.message, back.row, back.column, back.cell, str(back)) == \
        (rejection.message, 7, "Antal", "D7", str(rejection))
