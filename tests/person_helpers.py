"""What the person-level parser tests share: writing a small delivery, parsing it, and the CPR-free errors."""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from pipelines.delivery.errors import DeliveryRejected
from pipelines.delivery.filenames import parse_file_name
from pipelines.parse import registry
from pipelines.parse.base import ParsedDelivery
from pipelines.privacy.cpr import pseudonymise
from pipelines.validate.suites import validate_frame


def write_delivery(folder: Path, file_name: str, lines: list[str], *, encoding: str = "utf-8") -> Path:
    path = folder / file_name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def parse_person_file(source_system: str, path: Path, context, *, validate: bool = True) -> ParsedDelivery:
    """Parse (and by default validate with the GX suite), as the nightly ingestion does."""
    parser = registry()[source_system]
    name = parse_file_name(path, source_system, extensions=parser.extensions, file_types=parser.file_types)
    parsed = parser.parse(path, name, context)
    if validate:
        validate_frame(parsed.frame, parsed.table, path.name, {"file_periods": [p.label for p in name.periods]})
    return parsed


def pseudonym(cpr: str) -> str:
    return pseudonymise(cpr, os.environ["KPI_HMAC_KEY"].encode("utf-8"))


def visit_key(child_id: str, visit_type: str, visit_date: str) -> str:
    """The keyed id of a Novax visit (pipelines/parse/_persons.PersonRows.keyed_id)."""
    parts = "\x1f".join(("novax-visit", child_id, visit_type, visit_date))
    return hmac.new(os.environ["KPI_HMAC_KEY"].encode("utf-8"), parts.encode("utf-8"), hashlib.sha256).hexdigest()


def rejection_without_cpr(source_system: str, path: Path, context, cprs: list[str], *, row: int,
                          column: str) -> DeliveryRejected:
    """The delivery is rejected naming the row and the column, and no CPR of the file appears in the text."""
    try:
        parse_person_file(source_system, path, context)
    except DeliveryRejected as caught:
        message = caught.message
        assert caught.row == row and caught.column == column, message
        assert f"række {row}" in message and column in message
        for cpr in cprs:
            assert cpr not in message and cpr.replace("-", "") not in message, message
        assert message.startswith(path.name)
        return caught
    raise AssertionError(f"{path.name} was expected to be rejected but loaded")
