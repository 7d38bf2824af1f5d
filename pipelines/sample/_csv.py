"""Writing sample CSV deliveries the way export tools do: `;`, CRLF, a chosen encoding."""

from __future__ import annotations

from pathlib import Path


def write_csv(path: Path, rows: list[list[object]], *, encoding: str) -> Path:
    """Rows as `;`-separated lines; `utf-8-sig` writes a BOM, `cp1252` the usual Windows export."""
    text = "".join(";".join(_quoted("" if cell is None else str(cell)) for cell in row) + "\r\n" for row in rows)
    path.write_bytes(text.encode(encoding))
    return path


def _quoted(text: str) -> str:
    """Text with `;` or `"` is quoted the way Excel saves it."""
    return '"' + text.replace('"', '""') + '"' if ";" in text or '"' in text else text
