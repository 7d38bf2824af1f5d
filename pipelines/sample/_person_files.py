"""Writing person-level sample deliveries from polars frames, the way the suppliers' exports look."""

from __future__ import annotations

from pathlib import Path

import polars as pl


def write_frame(path: Path, frame: pl.DataFrame, *, encoding: str) -> Path:
    """`;`-separated with CRLF; `utf-8-sig` writes a BOM, `cp1252` the usual Windows export. Dates as text."""
    text = frame.write_csv(separator=";", line_terminator="\r\n", quote_style="necessary")
    path.write_bytes(text.encode(encoding))
    return path


def danish_dates(frame: pl.DataFrame, columns: list[str], pattern: str = "%d-%m-%Y") -> pl.DataFrame:
    return frame.with_columns(pl.col(c).dt.strftime(pattern).fill_null("") for c in columns)


def danish_decimal(expression: pl.Expr, decimals: int = 1) -> pl.Expr:
    return expression.round(decimals).cast(pl.Utf8).str.replace(r"\.0$", "").str.replace(".", ",", literal=True)
