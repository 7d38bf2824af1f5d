"""No figure depends on the order of rows in a file (issue 20; source_formats.md section 8, version 3).

Shuffling a file's data rows (header, title and note rows stay where they are; in a workbook, the rows of each
data sheet among themselves) changes nothing:
- per parser, on every sample delivery: the parsed frame, sorted canonically and without row numbers, is the
  same for every permutation hypothesis draws (fraflytning_admin listed an area's afdelinger in file order);
- end to end (e2e): a nightly over the whole sample with every file's data rows reversed publishes the same
  tables as the unshuffled demo, apart from run times, run ids and file hashes. The sample's KMD Opera
  extract holds benefit rows ending the same day with and without selvforsørgelse (pipelines/sample/kmd_opera.py),
  so a pick among them that follows the rows' order changes the published counts.
Which row ends a spell is checked against section 8 itself by the dbt unit tests in
models/intermediate/persons/kmd_opera/int_benefit_spells_unit_tests.yml.
Reproduce a failure: in int_benefit_spells__merged.sql put `numbered.source_row desc` first in the order of
`ending_periods` (and select source_row in `benefit_periods`) and run the e2e test.
"""

from __future__ import annotations

import functools
import random
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.parse import registry
from tests import parser_helpers
from tests.conftest import AS_OF, PublishedDemo, run_kpi
from tests.delivery_files import Delivery, Rows, read_delivery, sample_files
from tests.test_incremental_nightly import RUN_TIME_COLUMNS
from tests.test_parser_properties import MAX_ROWS, ROW_NUMBER_COLUMNS, context

SAMPLES = sample_files()
WHOLE = {"kmd_opera"}  # parsed whole: its same-day ties are spread over the extract
FILE_HASH_COLUMNS = {"sha256", "source_sha256"}
ONE_FIGURE = {"web_analytics", "event_attendance_estimate"}  # a delivery holds one row: the year's one figure


def filled(row: list[object]) -> int:
    return sum(1 for cell in row if cell is not None and str(cell).strip())


def data_rows(rows: Rows) -> range:
    """Indexes of a sheet's data rows: after the header (the first row with two or more cells), up to the first
    row with fewer (a blank or a note). A sheet without such a header (notes only) has none."""
    header = next((index for index, row in enumerate(rows) if filled(row) >= 2), None)
    if header is None:
        return range(0)
    end = header + 1
    while end < len(rows) and filled(rows[end]) >= 2:
        end += 1
    return range(header + 1, end)


def permuted(rows: Rows, order: Callable[[int], list[int]]) -> Rows:
    """The sheet with its data rows put in `order(n)` (a permutation of 0..n-1), the other rows in place."""
    block = data_rows(rows)
    moved = [rows[block.start + i] for i in order(len(block))]
    return [*rows[:block.start], *moved, *rows[block.stop:]]


def canonical(frame: pl.DataFrame) -> pl.DataFrame:
    frame = frame.drop([c for c in ROW_NUMBER_COLUMNS if c in frame.columns])
    return frame.sort(frame.columns, nulls_last=True)


@functools.cache
def sample(path: Path) -> Delivery:
    delivery = read_delivery(path)
    return delivery if path.parent.name in WHOLE else delivery.shortened(MAX_ROWS)


def test_every_parser_has_a_sample_with_rows_to_shuffle() -> None:
    """The property below covers every parser, each on at least one file with two or more data rows (a source
    that delivers one figure a file has exactly one)."""
    rows_per_source: dict[str, set[int]] = {}
    for source, path in SAMPLES:
        rows_per_source.setdefault(source, set()).update(len(data_rows(rows)) for rows in sample(path).sheets.values())
    assert set(rows_per_source) == set(registry())
    assert {source for source, counts in rows_per_source.items() if max(counts) >= 2} == set(registry()) - ONE_FIGURE
    assert all(rows_per_source[source] == {1} for source in ONE_FIGURE)


def permutations(n: int) -> st.SearchStrategy[list[int]]:
    """Orders of n rows; a long extract's from a drawn seed (hypothesis cannot draw 8 000 swaps)."""
    if n <= MAX_ROWS:
        return st.permutations(range(n))
    return st.integers(0, 2**32 - 1).map(lambda seed: random.Random(seed).sample(range(n), n))


@pytest.mark.parametrize(("source_system", "path"), SAMPLES, ids=[path.name for _, path in SAMPLES])
@given(data=st.data())
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example])
def test_shuffled_data_rows_parse_to_the_same_frame(source_system: str, path: Path, data) -> None:
    delivery = sample(path)
    orders = {sheet: data.draw(permutations(len(data_rows(rows))), label=sheet)
              for sheet, rows in delivery.sheets.items()}
    shuffled = Delivery(delivery.name, {sheet: permuted(rows, lambda n, sheet=sheet: orders[sheet])
                                        for sheet, rows in delivery.sheets.items()},
                        delivery.encoding, delivery.line_end)
    with tempfile.TemporaryDirectory() as folder:
        original = parser_helpers.parse(source_system, delivery.write(Path(folder) / "original"), context())
        parsed = parser_helpers.parse(source_system, shuffled.write(Path(folder) / "shuffled"), context())
    assert canonical(parsed.frame).equals(canonical(original.frame))
    assert sorted(parsed.warnings) == sorted(original.warnings)


def reversed_sample(target: Path) -> int:
    """Every sample delivery with its data rows reversed, written under `target`; returns the files changed."""
    changed = 0
    for source_system, path in SAMPLES:
        delivery = read_delivery(path)
        reversed_rows = delivery.edited(lambda rows: permuted(rows, lambda n: list(range(n))[::-1]))
        reversed_rows.write(target / source_system)
        changed += reversed_rows.sheets != delivery.sheets
    return changed


def published_tables(warehouse: Path) -> dict[str, list[str]]:
    """Each published table's rows, sorted, without run times, run ids and file hashes (the reversed files are
    other bytes)."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns: dict[str, list[str]] = {}
        for table, column in con.execute("select table_name, column_name from information_schema.columns "
                                         "where table_schema = 'main' order by table_name, ordinal_position"
                                         ).fetchall():
            if column not in RUN_TIME_COLUMNS | FILE_HASH_COLUMNS:
                columns.setdefault(table, []).append(column)
        return {table: sorted(map(repr, con.execute(f"select {', '.join(kept)} from {table}").fetchall()))
                for table, kept in columns.items()}


@pytest.mark.slow
@pytest.mark.e2e
def test_a_nightly_over_reversed_files_publishes_the_same_tables(published_demo: PublishedDemo,
                                                                  tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(published_demo.sources, sources, ignore=shutil.ignore_patterns("inbox"))
    assert reversed_sample(sources / "inbox") >= 200
    warehouse = tmp_path / "warehouse" / "kpi.duckdb"
    done = run_kpi("nightly", "--sources", str(sources), "--warehouse", str(warehouse), "--as-of", AS_OF,
                   "--no-report")
    assert done.returncode == 0, done.stdout + done.stderr
    got, expected = published_tables(warehouse), published_tables(published_demo.warehouse)
    assert set(got) == set(expected)
    assert [table for table in sorted(expected) if got[table] != expected[table]] == []


def test_a_warehouse_from_before_the_tie_rank_reads_the_extract_again() -> None:
    """A raw table made by an older parser (no `end_tie_rank`) is dropped and its files leave the ledger, so the
    run reads them again from the inbox and every row gets its rank, instead of NULL ranks or a failing dbt."""
    import duckdb

    from pipelines.load.schema import ensure_raw_schema, row_table_ddl
    from pipelines.parse.kmd_opera import SCHEMA

    older = {name: dtype for name, dtype in SCHEMA.items() if name != "end_tie_rank"}
    with duckdb.connect() as con:
        con.execute("create schema raw")
        ensure_raw_schema(con, [], {})
        con.execute(row_table_ddl("kmd_opera", older))
        con.execute("insert into raw.kmd_opera (person_id, source_file, source_row) values ('p1', 'kmd.csv', 2)")
        con.execute("insert into raw.load_ledger (source_system, file_name, status, loaded_at) values "
                    "('kmd_opera', 'kmd.csv', 'loaded', now()), ('police_haervaerk', 'other.csv', 'loaded', now())")
        ensure_raw_schema(con, [], {"kmd_opera": SCHEMA})
        ensure_raw_schema(con, [], {"kmd_opera": SCHEMA})  # a second run changes nothing
        columns = [r[0] for r in con.execute("select column_name from information_schema.columns "
                                             "where table_name = 'kmd_opera'").fetchall()]
        assert columns.count("end_tie_rank") == 1
        assert con.execute("select count(*) from raw.kmd_opera").fetchone() == (0,)
        assert con.execute("select file_name from raw.load_ledger").fetchall() == [("other.csv",)]
