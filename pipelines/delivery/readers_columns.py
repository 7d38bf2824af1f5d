"""A delimited delivery read into columns of text at once: what `read_delimited` reads, without a loop per row.

`read_delimited` splits the text with Python's csv module and builds one dict per row; for the person-level
extracts (hundreds of thousands of rows) that loop was most of the parse. `read_delimited_columns` splits the
lines and cells with polars instead and returns the same table as a frame: the same header, columns, cells,
row numbers, unknown columns, title rows and note rows.

It does so only for text whose splitting it can state exactly as the csv module does it: every line ends in
LF or CRLF (no lone CR), and a cell is either unquoted and free of `"`, or wholly quoted without a `"` or
the delimiter inside (`"…"`, as exports write empty cells). Then every row is one line, its cells are
the line split at the delimiter, and a quoted cell loses its quotes. For any other text it returns None and
the caller reads the file with `read_delimited`. Decoding, the header search and every rejection are the
row-wise reader's own functions, so the messages are the same.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.delivery.delimiters import sniff_delimiter
from pipelines.delivery.readers import (
    ROW_COLUMN,
    Header,
    RawRow,
    ValueColumns,
    _is_total_row,
    _named_cells,
    _numbered_rows_from_text,
    decode_delivery,
    read_header,
    require_data_rows,
)

if TYPE_CHECKING:
    import polars as pl

# What `str.strip()` strips: `str.isspace`, which also holds U+001C-U+001F (polars' default does not).
PY_WHITESPACE = "".join(chr(code) for code in range(0x3001) if chr(code).isspace())
_HAS_VALUES = "_has_values"


@dataclass(frozen=True)
class TextTable:
    """A delimited delivery as text columns (`frame`: one Utf8 column per header column and the line in `_row`);
    the rest as in `RawTable`."""

    file_name: str
    columns: list[str]
    frame: pl.DataFrame
    unknown_columns: list[str]
    preamble: list[RawRow] = field(default_factory=list)
    notes: list[RawRow] = field(default_factory=list)
    column_positions: dict[str, int] = field(default_factory=dict)


def _escaped(characters: str) -> str:
    """Characters for a polars (Rust) regex character class, each as `\\x{…}`."""
    return "".join(f"\\x{{{ord(c):x}}}" for c in characters)


def _simple_cells(delimiter: str) -> str:
    """A line whose cells are unquoted without `"`, or quoted without `"` or the delimiter inside."""
    d = _escaped(delimiter)
    cell = f'(?:"[^"{d}]*"|[^"{d}]*)'
    return f"^{cell}(?:{d}{cell})*$"


def _lines(text: str, delimiter: str) -> pl.Series | None:
    """The text's lines (without their line ends) when its cells split as described above; else None."""
    import polars as pl

    if text.count("\r") != text.count("\r\n"):
        return None
    lines = pl.Series([text], dtype=pl.Utf8).str.split("\n").explode().str.strip_suffix("\r")
    if lines.str.len_chars().max() > csv.field_size_limit():  # the csv module rejects such a cell
        return None
    if '"' in text and not lines.filter(lines.str.contains('"', literal=True)).str.contains(
            _simple_cells(delimiter)).all():
        return None
    return lines


def _cell(part: pl.Expr) -> pl.Expr:
    """A cell as the csv reader gives it, trimmed: a quoted cell without its quotes; '' where a row has none."""
    import polars as pl

    unquoted = pl.when(part.str.starts_with('"')).then(part.str.slice(1, part.str.len_chars() - 2))
    return unquoted.otherwise(part).str.strip_chars(PY_WHITESPACE).fill_null("")


def _row_of_line(number: int, line: str, header: Header, delimiter: str) -> RawRow:
    """One line as the row-wise reader gives it (for the few rows kept as rows: notes, totals)."""
    cells = [cell.strip() for cell in next(csv.reader([line], delimiter=delimiter, quotechar='"'))]
    return RawRow(number, _named_cells(header.names, cells))


def read_delimited_columns(path: Path, required: tuple[str, ...] | list[str], optional: tuple[str, ...] = (), *,
                           allow_empty: bool = False, value_columns: ValueColumns = None) -> TextTable | None:
    """`read_delimited`'s table as columns, or None when the text's cells cannot be split column-wise."""
    import polars as pl

    text = decode_delivery(path.read_bytes(), path.name)
    delimiter = sniff_delimiter(text)
    text = text.replace("\u00a0", " ")  # as the row-wise reader: non-breaking spaces count as spaces
    lines = _lines(text, delimiter)
    if lines is None:
        return None
    header = read_header(path.name, _numbered_rows_from_text(text, delimiter), required, optional)
    where: dict[str, int] = {}
    for position, name in enumerate(header.names):
        if name:
            where[name] = position  # a column named twice: the later one, as in the row-wise reader
    below = lines.slice(header.row)
    # The header's cells, and all the cells beyond them in one (only ever asked whether it is blank).
    parts = below.str.splitn(delimiter, len(header.names) + 1).struct.unnest()
    # After the checks of `_lines` a line has a cell that is not blank exactly when it holds a character that
    # is neither whitespace, a quote nor the delimiter.
    has_cells = below.str.contains(f'[^"{_escaped(delimiter + PY_WHITESPACE)}]')
    frame = parts.select(
        pl.int_range(header.row + 1, header.row + 1 + below.len(), dtype=pl.Int64).alias(ROW_COLUMN),
        *(_cell(pl.col(parts.columns[position])).alias(name) for name, position in where.items()),
    ).filter(has_cells)
    values = [c for c in header.value_columns(value_columns) if c in where]
    frame = frame.with_columns(pl.any_horizontal(pl.lit(False), *(pl.col(c) != "" for c in values))
                               .alias(_HAS_VALUES))
    data, notes = _split_trailing_notes(frame, lines, header, delimiter)
    require_data_rows(path.name, header, data.height > 0, allow_empty=allow_empty)
    columns = header.columns
    return TextTable(path.name, columns, data.select(*dict.fromkeys(columns), ROW_COLUMN), header.unknown,
                     header.preamble, notes, header.positions)


def _split_trailing_notes(frame: pl.DataFrame, lines: pl.Series, header: Header, delimiter: str,
                          ) -> tuple[pl.DataFrame, list[RawRow]]:
    """`readers.split_trailing_notes` on the frame: the rows after the last row with values that is not a
    total row, and have no values, are notes."""
    import polars as pl

    with_values = frame.with_row_index("_index").filter(pl.col(_HAS_VALUES))
    end = 0
    for at in range(with_values.height - 1, -1, -1):  # from the end: most files have no notes and no totals
        number = with_values[ROW_COLUMN][at]
        if not _is_total_row(_row_of_line(number, lines[number - 1], header, delimiter)):
            end = with_values["_index"][at] + 1
            break
    tail = frame.slice(end)
    notes = [_row_of_line(number, lines[number - 1], header, delimiter)
             for number in tail.filter(~pl.col(_HAS_VALUES))[ROW_COLUMN]]
    return pl.concat([frame.slice(0, end), tail.filter(pl.col(_HAS_VALUES))]), notes
