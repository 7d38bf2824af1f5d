"""What the parser tests share: parsing a delivery or a sample folder, and the never-crash property."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl

from pipelines.delivery.errors import DeliveryRejected
from pipelines.delivery.filenames import parse_file_name
from pipelines.parse import registry
from pipelines.parse.base import OBSERVATION_SCHEMA, ParsedDelivery

KNOWN_AREA_KEYS = {"motalavej", "ringparken", "sydbyen", "skaelskoer", "combined", "slagelse_kommune", "denmark",
                   "sub_average"}


def parse(source_system: str, path: Path, context) -> ParsedDelivery:
    parser = registry()[source_system]
    name = parse_file_name(path, source_system, extensions=parser.extensions, file_types=parser.file_types)
    return parser.parse(path, name, context)


def parse_sample(source_system: str, write: Callable[[Path], list[Path]], folder: Path) -> dict[str, pl.DataFrame]:
    """Every sample delivery of a source, parsed: file name → observation frame."""
    from pipelines.flows.delivery_step import parse_context
    from tests.conftest import REFERENCE_DIR

    context = parse_context(REFERENCE_DIR)
    return {path.name: parse(source_system, path, context).frame for path in write(folder)}


def assert_frame_or_rejection(source_system: str, path: Path, context, *, period: str) -> None:
    """The parser either returns a frame of the schema (known areas, the file's period) or rejects the file."""
    try:
        result = parse(source_system, path, context)
    except DeliveryRejected as caught:
        assert caught.message.startswith(path.name)
    else:
        assert result.frame.schema == pl.Schema(OBSERVATION_SCHEMA)
        assert set(result.frame["area_key"].unique()) <= KNOWN_AREA_KEYS
        assert set(result.frame["period"].unique()) <= {period}


def rejection(source_system: str, path: Path, context) -> DeliveryRejected:
    """The rejection a delivery must cause (the test fails if it loads)."""
    try:
        parse(source_system, path, context)
    except DeliveryRejected as caught:
        return caught
    raise AssertionError(f"{path.name} was expected to be rejected but loaded")
