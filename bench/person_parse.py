"""Parse time of the person-level deliveries, row by row against column-wise, in seconds per 100 000 rows.

`python -m bench.person_parse --sources DIR` parses every person-level CSV under DIR/inbox (a sample written
by `kpi sample --target DIR --scale N`) both ways, checks that the two give the same frame and warnings, and
prints rows read and seconds per 100 000 rows for each file type. Reading the file (decoding, splitting rows)
is in both figures: it is the part the two paths share.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

from polars.testing import assert_frame_equal

from pipelines.delivery.filenames import parse_file_name
from pipelines.delivery.readers import decode_delivery, read_delimited
from pipelines.flows.delivery_step import parse_context
from pipelines.parse import registry
from pipelines.parse._persons import PersonParser

PERSON_SOURCES = ("kmd_opera", "novax", "school_absence", "school_readiness", "uu_registration")
REFERENCE_DIR = Path(__file__).resolve().parents[1] / "sources" / "reference"


def _delivered_rows(path: Path) -> int:
    text = decode_delivery(path.read_bytes(), path.name)
    return max(sum(1 for line in text.splitlines() if line.strip()) - 1, 0)


def measure(sources: Path) -> dict[str, list[float]]:
    """File type → [rows, seconds reading alone, seconds row by row, seconds column-wise]."""
    context = parse_context(REFERENCE_DIR)
    totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0.0])
    for source in PERSON_SOURCES:
        parser = registry()[source]
        for path in sorted((sources / "inbox" / source).glob("*.csv")):
            name = parse_file_name(path, source, extensions=parser.extensions, file_types=parser.file_types)
            person_parser = parser.file_type_parsers[name.file_type]
            assert isinstance(person_parser, PersonParser)
            started = time.perf_counter()
            read_delimited(path, person_parser.columns, allow_empty=person_parser.allow_empty)
            read = time.perf_counter()
            by_rows = person_parser.parse_row_by_row(path, name, context)
            between = time.perf_counter()
            by_columns = person_parser.parse_by_columns(path, name, context)
            ended = time.perf_counter()
            assert_frame_equal(by_columns.frame, by_rows.frame)
            assert by_columns.warnings == by_rows.warnings
            figures = totals[person_parser.table]
            figures[0] += _delivered_rows(path)
            figures[1] += read - started
            figures[2] += between - read
            figures[3] += ended - between
    return dict(totals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, required=True, help="a folder with inbox/<source>/ deliveries")
    args = parser.parse_args()
    totals = measure(args.sources)
    print("seconds per 100 000 rows; both parse figures include the reading")
    print(f"{'table':<24} {'rows':>9} {'reading':>8} {'row by row':>11} {'column-wise':>12}")
    every = [sum(figures[i] for figures in totals.values()) for i in range(4)]
    for table, (rows, reading, by_rows, by_columns) in [*sorted(totals.items()), ("all", every)]:
        per = 100_000 / rows if rows else 0
        print(f"{table:<24} {rows:>9.0f} {reading * per:>8.2f} {by_rows * per:>11.2f} {by_columns * per:>12.2f}")


if __name__ == "__main__":
    main()
