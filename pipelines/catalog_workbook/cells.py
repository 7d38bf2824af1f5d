"""One workbook cell ↔ one catalog value, by the column's kind (layout.py); decoding names what is wrong."""

from __future__ import annotations

import re
from typing import Any

import yaml

from pipelines.catalog_workbook.layout import BOOL, LINES, NO, NUMBER, PERIOD, TEXT, YAML, YES
from pipelines.yaml_text import load_yaml

_NUMBER = re.compile(r"^-?\d+([.,]\d+)?$")


class CellError(ValueError):
    """A cell whose content does not fit its column; the message is Danish."""


def yaml_text(value: Any) -> str:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, default_flow_style=True, width=10**6).strip()


def encode(value: Any, kind: str) -> Any:
    """The cell content for a catalog value (None for an empty cell)."""
    if value is None or value == [] or value == {}:
        return None
    if kind == LINES:
        return "\n".join(str(v) for v in value)
    if kind == YAML:
        return yaml_text(value)
    if kind == BOOL:
        return YES if value else NO
    return value


def _number(text: str) -> int | float:
    if not _NUMBER.match(text):
        raise CellError(f"'{text}' er ikke et tal")
    number = float(text.replace(",", "."))
    return int(number) if "," not in text and "." not in text else number


def decode(cell: Any, kind: str) -> Any:
    """The catalog value of a cell; raises CellError when the cell does not fit the column."""
    if isinstance(cell, str):
        cell = cell.strip()
    if cell is None or cell == "":
        return [] if kind == LINES else None
    if kind == TEXT:
        return cell if isinstance(cell, str) else str(cell)
    if kind == LINES:
        return [line.strip() for line in str(cell).splitlines() if line.strip()]
    if kind == NUMBER:
        if isinstance(cell, bool) or not isinstance(cell, int | float | str):
            raise CellError(f"'{cell}' er ikke et tal")
        return _number(cell) if isinstance(cell, str) else cell
    if kind == PERIOD:
        if isinstance(cell, float) and cell.is_integer():
            return int(cell)
        if isinstance(cell, int) and not isinstance(cell, bool):
            return cell
        text = str(cell)
        return int(text) if text.isdigit() else text
    if kind == BOOL:
        text = str(cell).casefold()
        if text not in (YES, NO):
            raise CellError(f"'{cell}' er hverken '{YES}' eller '{NO}'")
        return text == YES
    if kind == YAML:
        try:
            value = load_yaml(str(cell))
        except yaml.YAMLError as exc:
            raise CellError("ikke gyldig YAML (skriv fx  note: tekst)") from exc
        if not isinstance(value, dict):
            raise CellError("forventet felter som YAML (navn: værdi)")
        return value
    raise AssertionError(kind)
