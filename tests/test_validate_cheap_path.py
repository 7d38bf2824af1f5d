"""GX's cheap first pass (BOOLEAN_ONLY) and the complete run (COMPLETE) reject the same frames with the same message.

`first_failure` runs a suite with BOOLEAN_ONLY and only a failing frame again with COMPLETE, which names the first
failing row. These tests hold that path equal to the complete run alone (what validation did before) for every
expectation type the suites in expectations/*.json use: same verdict per expectation, same file, row, column, value
and expected text.
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.settings import EXPECTATIONS_DIR
from pipelines.validate.suites import build_suite, first_failure, frame_batch, suite_result

FILE = "kilde_2024_20250101.csv"
PERIODS = {"file_periods": ["2024", "2025"]}
COLUMNS = ["source_row", "area", "period", "value", "floor", "code", "pid", "note", "a", "b"]
# One expectation of every type the suites use, in the suites' kwargs shapes (parameters and defaults included).
DEFINITION: dict[str, Any] = {
    "name": "every_type",
    "expectations": [
        {"type": "expect_table_columns_to_match_set", "kwargs": {"column_set": COLUMNS, "exact_match": True}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "code"}},
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "area", "value_set": ["nord", "syd"]}},
        {"type": "expect_column_values_to_be_in_set",
         "kwargs": {"column": "period", "value_set": {"$PARAMETER": "file_periods"}}},
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "value", "min_value": 0, "max_value": 10}},
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "floor", "min_value": 1}},
        {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "pid", "regex": "^[0-9a-f]{4}$"}},
        {"type": "expect_column_values_to_not_match_regex", "kwargs": {"column": "note", "regex": "(replaced)"}},
        {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": ["area", "period", "code"]}},
        {"type": "expect_column_pair_values_a_to_be_greater_than_b",
         "kwargs": {"column_A": "a", "column_B": "b", "or_equal": True, "ignore_row_if": "either_value_is_missing"}},
    ],
}
GOOD_ROW = {"area": "nord", "period": "2024", "value": 5, "floor": 1, "code": "x", "pid": "00af", "note": "ok",
            "a": 2, "b": 1}


@pytest.fixture(scope="module")
def suite():
    return build_suite(DEFINITION)


def frame_of(rows: list[dict[str, Any]], extra_column: bool = False) -> pl.DataFrame:
    frame = pl.DataFrame([{"source_row": i + 2, **row} for i, row in enumerate(rows)],
                         schema={"source_row": pl.Int64, "area": pl.Utf8, "period": pl.Utf8, "value": pl.Int64,
                                 "floor": pl.Int64, "code": pl.Utf8, "pid": pl.Utf8, "note": pl.Utf8,
                                 "a": pl.Int64, "b": pl.Int64})
    return frame.with_columns(pl.lit(1).alias("extra")) if extra_column else frame


def both_paths(frame: pl.DataFrame, suite) -> tuple[tuple | None, tuple | None]:
    """What the cheap-first path and the complete run alone make of `frame` (an error's type: they fail alike)."""
    def outcome(cheap_first: bool) -> tuple | None:
        try:
            rejection = first_failure(frame, suite, FILE, PERIODS, cheap_first=cheap_first)
        except Exception as exc:  # a suite that cannot word its failure must fail alike on both
            return ("error", type(exc).__name__)
        return None if rejection is None else (rejection.message, rejection.file_name, rejection.row,
                                               rejection.column, rejection.found, rejection.expected)
    return outcome(True), outcome(False)


def test_the_suite_here_covers_every_expectation_type_of_the_real_suites() -> None:
    used = {item["type"] for path in EXPECTATIONS_DIR.glob("*.json")
            for item in json.loads(path.read_text(encoding="utf-8"))["expectations"]}
    assert used == {item["type"] for item in DEFINITION["expectations"]}


def test_a_good_frame_passes_both_paths(suite) -> None:
    assert both_paths(frame_of([GOOD_ROW, {**GOOD_ROW, "code": "y"}]), suite) == (None, None)


# (the second row's change, the message both paths must give: the messages of the complete-only path before the
# cheap pass existed, pandas' 'nan' and numpy's reprs included)
BAD_ROWS = [
    ({"code": None}, "række 3, kolonne code: værdien 'nan'; forventet en udfyldt værdi"),
    ({"area": "øst"}, "række 3, kolonne area: værdien 'øst'; forventet en af de tilladte værdier: nord, syd"),
    ({"period": "2023"}, "række 3, kolonne period: værdien '2023'; forventet en af de tilladte værdier: 2024, 2025"),
    ({"value": 11}, "række 3, kolonne value: værdien '11'; forventet en værdi mellem 0.0 og 10.0"),
    ({"pid": "00AF"}, "række 3, kolonne pid: værdien '00AF'; forventet en værdi på formen ^[0-9a-f]{4}$"),
    ({"note": "ring 010190-1234"},
     "række 3, kolonne note: et CPR-lignende tal (personoplysning) i en aggregeret kilde; "
     "forventet ingen personoplysninger (CPR-lignende tal)"),
    ({"code": "x"}, "række 2: værdien '{'area': 'nord', 'period': '2024', 'code': 'x'}'; "
                    "forventet én række pr. ['area', 'period', 'code']"),
    ({"a": 0}, "række 3: værdien '(np.int64(0), np.int64(1))'; forventet a mindst lige så stor som b"),
]


@pytest.mark.parametrize(("change", "message"), BAD_ROWS, ids=[next(iter(c)) for c, _ in BAD_ROWS])
def test_one_bad_row_gets_the_same_message_on_both_paths(suite, change, message) -> None:
    frame = frame_of([GOOD_ROW, {**GOOD_ROW, "code": "y", **change}])
    cheap, complete = both_paths(frame, suite)
    assert cheap == complete
    assert cheap is not None and cheap[0] == f"{FILE}, {message}"


def test_a_wrong_column_set_gets_the_same_message_on_both_paths(suite) -> None:
    cheap, complete = both_paths(frame_of([GOOD_ROW], extra_column=True), suite)
    assert cheap == complete
    assert cheap is not None and cheap[0] == f"{FILE}: værdien 'a'; forventet kolonnerne {COLUMNS}"


def test_a_range_open_at_the_top_is_worded_on_both_paths(suite) -> None:
    """A between with only min_value (kmd_opera's end_tie_rank) rejects with a message, never a KeyError."""
    cheap, complete = both_paths(frame_of([GOOD_ROW, {**GOOD_ROW, "code": "y", "floor": 0}]), suite)
    assert cheap == complete
    assert cheap is not None and cheap[3:] == ("floor", "værdien '0'", "en værdi på mindst 1.0")


def test_no_cpr_value_reaches_the_message(suite) -> None:
    cheap, _ = both_paths(frame_of([GOOD_ROW, {**GOOD_ROW, "code": "y", "note": "010190-1234"}]), suite)
    assert cheap is not None and "010190" not in "".join(map(str, cheap))


cells = st.fixed_dictionaries({
    "area": st.sampled_from(["nord", "syd", "øst", None]),
    "period": st.sampled_from(["2024", "2025", "2023"]),
    "value": st.one_of(st.none(), st.integers(-2, 12)),
    "floor": st.one_of(st.none(), st.integers(-1, 3)),
    "code": st.sampled_from(["x", "y", "z", None]),
    "pid": st.sampled_from(["00af", "beef", "00AF", "abc", None]),
    "note": st.sampled_from(["ok", "", None, "tlf. 12345678", "ring 010190-1234", "CPR 0101901234"]),
    "a": st.one_of(st.none(), st.integers(0, 3)),
    "b": st.one_of(st.none(), st.integers(0, 3)),
})


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(cells, min_size=1, max_size=6), extra_column=st.booleans())
def test_both_paths_agree_on_any_frame(suite, rows, extra_column) -> None:
    frame = frame_of(rows, extra_column)
    batch = frame_batch(frame.to_pandas())
    verdicts = {fmt: [item.success for item in suite_result(batch, suite, PERIODS, fmt).results]
                for fmt in ("BOOLEAN_ONLY", "COMPLETE")}
    assert verdicts["BOOLEAN_ONLY"] == verdicts["COMPLETE"]
    cheap, complete = both_paths(frame, suite)
    assert cheap == complete
    assert (cheap is None) == all(verdicts["COMPLETE"])


def test_a_cpr_failing_another_check_first_is_not_quoted(suite) -> None:
    """A CPR-shaped value that fails an in_set check (before any CPR check reaches it) is named, never quoted."""
    cheap, complete = both_paths(frame_of([GOOD_ROW, {**GOOD_ROW, "code": "y", "area": "010190-1234"}]), suite)
    assert cheap == complete
    assert cheap is not None and cheap[3:5] == ("area", "et CPR-lignende tal (personoplysning)")
    assert "010190" not in "".join(map(str, cheap))
