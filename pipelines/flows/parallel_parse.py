"""Parse large runs ahead of the load, in worker processes.

Parsing is pure Python, and one file's parse needs nothing from another's. When a run has much to parse
(a first load, a municipality's yearly extracts), worker processes parse the files ahead while the run
validates and loads the earlier ones in delivery order, so the order of supersession is unchanged. A small
run (one new month) parses in its own process: a worker costs about 1,5 s to start.

Workers are spawned, not forked (the run has Prefect's threads). A worker writes its output to the run's log
file, never to the terminal. A rejection comes back as the same `DeliveryRejected`; a worker that dies
makes the run parse the rest itself.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from functools import cache
from pathlib import Path

from pipelines.delivery.discover import Decision, Delivery
from pipelines.delivery.errors import DeliveryRejected
from pipelines.operate.run_logging import LOG_FORMAT
from pipelines.parse.base import ParsedDelivery
from pipelines.privacy.log_masking import mask_cpr_in

PARALLEL_MIN_BYTES = 24 * 2**20  # below this, parsing in the run's own process is faster
WINDOW = 6  # files parsed ahead of the load at most (bounds the frames held in memory)
log = logging.getLogger(__name__)

Parsed = ParsedDelivery | DeliveryRejected | None  # None: parse it in the run's own process


def worker_count() -> int:
    return min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def worth_parallel(deliveries: list[Delivery]) -> bool:
    to_parse = [d for d in deliveries if d.decision is Decision.LOAD and d.rejection is None]
    return worker_count() >= 2 and len(to_parse) >= 2 and \
        sum(d.path.stat().st_size for d in to_parse) >= PARALLEL_MIN_BYTES


def _start_worker(log_file: str | None) -> None:
    """A worker's stdout and stderr go to the run's worker log (or nowhere), never to the analyst's terminal."""
    handle = os.open(log_file or os.devnull, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    os.dup2(handle, 1)
    os.dup2(handle, 2)
    logging.basicConfig(handlers=[mask_cpr_in(logging.StreamHandler())], format=LOG_FORMAT)


@cache
def _context(reference_dir: str):
    from pipelines.flows.delivery_step import parse_context

    return parse_context(Path(reference_dir))


def _parse_in_worker(delivery: Delivery, reference_dir: str) -> ParsedDelivery | DeliveryRejected:
    from pipelines.flows.delivery_step import parse_delivery

    try:
        return parse_delivery(delivery, _context(reference_dir))
    except DeliveryRejected as rejection:
        if rejection.__cause__ is not None:
            log.error("parser failure in %s", delivery.file_name, exc_info=rejection.__cause__)
        rejection.__cause__ = rejection.__context__ = None
        rejection.__traceback__ = None
        return rejection


def parsed_in_order(deliveries: list[Delivery], reference_dir: Path, log_file: Path | None = None
                    ) -> Iterator[Parsed]:
    """One item per delivery, in order: its parse from a worker, or None where the run must parse itself."""
    if not worth_parallel(deliveries):
        yield from (None for _ in deliveries)
        return
    pool = ProcessPoolExecutor(worker_count(), mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker, initargs=(str(log_file) if log_file else None,))
    pending: deque[Future | None] = deque()
    upcoming = iter(deliveries)
    broken = False

    def submit_next() -> None:
        delivery = next(upcoming, None)
        if delivery is None:
            return
        wanted = not broken and delivery.decision is Decision.LOAD and delivery.rejection is None
        pending.append(pool.submit(_parse_in_worker, delivery, str(reference_dir)) if wanted else None)

    try:
        for _ in range(WINDOW):
            submit_next()
        for _ in deliveries:
            future = pending.popleft()
            submit_next()
            if future is None:
                yield None
                continue
            try:
                yield future.result()
            except Exception:  # a dead worker (e.g. out of memory): the run parses the rest itself
                log.exception("a parse worker failed; parsing in the run's own process")
                broken = True
                yield None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
