"""Which dbt nodes a run builds (pipelines/transform/selection.py).

What it protects: a build that selects too little leaves a table of the last build standing although its
inputs changed. The selection rules are checked here one by one; `test_selective_build_equals_full_build`
in tests/test_incremental_nightly.py checks a selective build against a full one on the demo.
Reproduce a failure: add `{{ var('as_of') }}` to a model not in AS_OF_MODELS and run this file.
"""

from __future__ import annotations

import re

import pytest

from pipelines.load.build import aggregate_sources, row_tables
from pipelines.load.inputs import InputsRecord
from pipelines.settings import DBT_PROJECT_DIR
from pipelines.transform.selection import AS_OF_MODELS, LEDGER_SELECTOR, dbt_selection, raw_table_sources

PARTS = {"inbox": "i1", "reference": "r1", "code": "c1", "as_of": "2026-11-23", "plan_id": "slagelse", "key": "k"}
AS_OF_USE = re.compile(r"""var\(\s*['"]as_of['"]""")


def record(**changes: str) -> InputsRecord:
    return InputsRecord("fp", {}, {}, {**PARTS, **changes})


def test_the_models_that_read_as_of_are_exactly_those_rebuilt_for_a_new_date() -> None:
    readers = {p.stem for p in (DBT_PROJECT_DIR / "models").rglob("*.sql") if AS_OF_USE.search(p.read_text())}
    assert readers == set(AS_OF_MODELS)
    for folder in ("macros", "snapshots"):  # a macro reading it would hide the dependency from this list
        assert not [p for p in (DBT_PROJECT_DIR / folder).rglob("*.sql") if AS_OF_USE.search(p.read_text())]


def test_every_raw_table_a_delivery_can_write_is_a_declared_dbt_source() -> None:
    assert set(aggregate_sources()) | set(row_tables()) <= set(raw_table_sources())


def test_new_deliveries_select_their_raw_tables_and_the_ledger() -> None:
    selected = dbt_selection(record(inbox="i0"), True, PARTS, {"school_absence_dropout"}, True)
    assert selected == ["source:school_absence.school_absence_dropout+", LEDGER_SELECTOR]


def test_a_rejected_file_rebuilds_only_what_reads_the_ledger() -> None:
    assert dbt_selection(record(inbox="i0"), True, PARTS, set(), True) == [LEDGER_SELECTOR]


def test_a_new_as_of_date_rebuilds_the_models_that_read_it() -> None:
    selected = dbt_selection(record(as_of="2026-11-22"), True, PARTS, set(), False)
    assert selected == [LEDGER_SELECTOR, *(f"{m}+" for m in AS_OF_MODELS)]


@pytest.mark.parametrize("part", ["code", "reference", "plan_id", "key"])
def test_changed_code_reference_plan_or_key_means_a_full_build(part: str) -> None:
    assert dbt_selection(record(**{part: "other"}), True, PARTS, {"police_haervaerk"}, True) is None


def test_no_record_an_unusable_one_or_an_undeclared_table_means_a_full_build() -> None:
    assert dbt_selection(None, False, PARTS, set(), True) is None
    assert dbt_selection(record(), False, PARTS, set(), True) is None
    assert dbt_selection(InputsRecord("fp", {}, {}, {}), True, PARTS, set(), True) is None
    assert dbt_selection(record(), True, PARTS, {"not_a_source"}, True) is None
