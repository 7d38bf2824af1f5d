"""Which of `;`, `,` and tab separates a delivered text file's columns (source_formats.md 0.4).

The contract's files use `;`. Suppliers' exports also use `,` (decimal commas then quoted) and tab. The
delimiter is the one that splits most lines into the same number of fields, weighted by that number: a `;`
file whose values carry decimal commas still splits into more fields on `;` than on `,`. Ties go to `;`.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from itertools import islice

DELIMITERS = (";", "\t", ",")  # in order of preference on a tie
SAMPLE_LINES = 200


def _score(lines: list[str], delimiter: str) -> int:
    try:
        widths = Counter(len(cells) for cells in csv.reader(lines, delimiter=delimiter, quotechar='"')
                         if len(cells) > 1)
    except csv.Error:  # a stray line end inside a field: the file's reader reports it, not the sniffer
        return 0
    if not widths:
        return 0
    width, rows = max(widths.items(), key=lambda item: (item[1] * (item[0] - 1), item[0]))
    return rows * (width - 1)


def _head(text: str, lines: int) -> str:
    """The text up to its `lines`-th LF: it holds at least its first `lines` lines (CR, LF and CRLF end one)."""
    end = -1
    for _ in range(lines):
        end = text.find("\n", end + 1)
        if end < 0:
            return text
    return text[:end + 1]


def sniff_delimiter(text: str) -> str:
    """`;`, `\\t` or `,`: the delimiter of a decoded delimited file (`;` when nothing is split)."""
    lines = [line for line in islice(io.StringIO(_head(text, SAMPLE_LINES), newline=""), SAMPLE_LINES)
             if line.strip()]
    scores = {delimiter: _score(lines, delimiter) for delimiter in DELIMITERS}
    return max(DELIMITERS, key=lambda delimiter: (scores[delimiter], -DELIMITERS.index(delimiter)))
