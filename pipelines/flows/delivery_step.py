"""One delivery through parse → validate → load, turning every failure into a ledger rejection."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.delivery.aliases import AreaResolver, reading_as
from pipelines.delivery.discover import Decision, Delivery
from pipelines.delivery.errors import DeliveryRejected
from pipelines.delivery.filenames import parse_file_name
from pipelines.load.raw_layer import load_observations, record_duplicate, record_rejection
from pipelines.parse import registry
from pipelines.parse.base import ParseContext, ParsedDelivery
from pipelines.reference.resolution import COMPARATOR_AREA_KEYS
from pipelines.timings import timed
from pipelines.validate.suites import validate_frame


@dataclass
class IngestOutcome:
    file_name: str
    source_system: str
    status: str  # loaded | duplicate | rejected | seen
    rows: int = 0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    table: str | None = None  # the raw table a loaded delivery was written to


def parse_context(reference_dir: Path) -> ParseContext:
    return ParseContext(AreaResolver.from_reference(reference_dir), reference_dir)


def parse_delivery(delivery: Delivery, context: ParseContext) -> ParsedDelivery:
    """The parsed frame of a delivery; raises DeliveryRejected (also for a parser's own failure)."""
    parser = registry()[delivery.source_system]
    assert delivery.name is not None
    try:
        with reading_as(delivery.source_system, context.reference_dir):
            return parser.parse(delivery.path, delivery.name, context)
    except DeliveryRejected:
        raise
    except Exception as exc:  # a parser bug or an unforeseen file must reject the file, never crash the run
        raise DeliveryRejected(delivery.file_name, f"filen kunne ikke læses ({type(exc).__name__})",
                               "en fil der følger leverancebeskrivelsen (source_formats.md)") from exc


def parse_as(path: Path, source_system: str, context: ParseContext, *, contract_name: str | None = None
             ) -> ParsedDelivery:
    """Read a file as `source_system` (its parser, with the analyst's aliases); raises DeliveryRejected.

    `contract_name` is the name it would be filed under (`<system>_<period>_<date>.<ext>`), when the file's own
    name is not one: the parser reads the period from it. Nothing is written anywhere.
    """
    parser = registry()[source_system]
    name = parse_file_name(Path(contract_name or path.name), source_system, extensions=parser.extensions,
                           file_types=parser.file_types)
    delivery = Delivery(path, source_system, "", Decision.LOAD, name)
    return parse_delivery(delivery, context)


def validate_parsed(parsed: ParsedDelivery, delivery: Delivery, context: ParseContext) -> None:
    """The delivery's GX suite on its parsed frame; raises DeliveryRejected."""
    assert delivery.name is not None
    with timed("validate"):
        validate_frame(parsed.frame, parsed.table or delivery.source_system, delivery.file_name,
                       {"file_periods": [p.label for p in delivery.name.periods]},
                       programme_areas=[k for k in context.areas.area_keys if k not in COMPARATOR_AREA_KEYS])


def parse_and_validate(delivery: Delivery, context: ParseContext,
                       parsed: ParsedDelivery | DeliveryRejected | None = None) -> ParsedDelivery:
    """Parse (unless parsed ahead, pipelines/flows/parallel_parse.py) and validate; raises DeliveryRejected."""
    if parsed is None:
        with timed("parse"):
            parsed = parse_delivery(delivery, context)
    if isinstance(parsed, DeliveryRejected):
        raise parsed
    validate_parsed(parsed, delivery, context)
    return parsed


def ingest(con: duckdb.DuckDBPyConnection, delivery: Delivery, context: ParseContext,
           parsed_ahead: ParsedDelivery | DeliveryRejected | None = None) -> IngestOutcome:
    outcome = IngestOutcome(delivery.file_name, delivery.source_system, delivery.decision.value)
    if delivery.decision is Decision.SEEN:
        return outcome
    if delivery.decision is Decision.DUPLICATE:
        record_duplicate(con, delivery)
        outcome.status = "duplicate"
        return outcome
    try:
        if delivery.rejection is not None:
            raise delivery.rejection
        parsed = parse_and_validate(delivery, context, parsed_ahead)
    except DeliveryRejected as rejection:
        record_rejection(con, delivery, rejection)
        outcome.status, outcome.error = "rejected", rejection.message
        return outcome
    with timed("load"):
        outcome.rows = load_observations(con, delivery, parsed.frame, parsed.warnings, parsed.table)
    outcome.status, outcome.warnings = "loaded", parsed.warnings
    outcome.table = parsed.table or delivery.source_system
    return outcome
