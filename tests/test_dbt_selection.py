"""Which dbt nodes a run builds (pipelines/transform/selection.py).

What it protects: a build that selects too little leaves a table of the last build standing although its
inputs changed. The selection rules are checked here one by one; `test_selective_build_equals_full_build`
in tests/test_incremental_nightly.py checks a selective build against a full one on the demo.
Reproduce a failure: add `{{ var('as_of') }}` (or a `current_date`) to a model and run this file: a model must
read the as-of date from the `run.run_parameters` source, which a new date selects.
"""

from __future__ import annotations

import re

import pytest

from pipelines.load.build import aggregate_sources, row_tables
from pipelines.load.inputs import InputsRecord
from pipelines.settings import DBT_PROJECT_DIR
from pipelines.transform.selection import (
    AS_OF_SELECTOR,
    LEDGER_MODELS,
    LEDGER_MODELS_SELECTOR,
    LEDGER_SELECTOR,
    dbt_selection,
    raw_table_sources,
)

PARTS = {"inbox": "i1", "reference": "r1", "code": "c1", "as_of": "2026-11-23", "plan_id": "slagelse", "key": "k"}
# The ways a model could learn the day other than from the run.run_parameters source: each would escape the
# selection of a new as-of date (and a var that changes nightly would also invalidate dbt's partial parse).
OTHER_DATE_USE = re.compile(r"""var\(\s*['"]as_of['"]|\bcurrent_date\b|\bnow\(\)|\btoday\(\)|run_started_at""", re.I)
AS_OF_SOURCE_USE = re.compile(r"""source\(\s*['"]run['"]\s*,\s*['"]run_parameters['"]\s*\)""")
DBT_SQL_FOLDERS = ("models", "macros", "snapshots", "tests")


def record(**changes: str) -> InputsRecord:
    return InputsRecord("fp", {}, {}, {**PARTS, **changes})


def sql_files(folder: str):
    return sorted((DBT_PROJECT_DIR / folder).rglob("*.sql"))


def test_models_read_the_as_of_date_only_from_the_source_a_new_date_selects() -> None:
    readers = {p.stem for p in sql_files("models") if AS_OF_SOURCE_USE.search(p.read_text(encoding="utf-8"))}
    assert {"int_kpi__evaluation_grid", "int_gaps__listed", "int_run__as_of_window"} <= readers
    assert AS_OF_SELECTOR == "source:run.run_parameters+"
    exempt = {"run_parameters.sql", "snapshot_get_time.sql"}  # the hand-run default; snapshot timestamps
    other = [str(p.relative_to(DBT_PROJECT_DIR)) for folder in DBT_SQL_FOLDERS for p in sql_files(folder)
             if p.name not in exempt and OTHER_DATE_USE.search(p.read_text(encoding="utf-8"))]
    assert other == []


def test_no_var_that_changes_nightly_is_declared() -> None:
    project = (DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8")
    assert "as_of" not in project.split("\nvars:", 1)[1]


def test_every_raw_table_a_delivery_can_write_is_a_declared_dbt_source() -> None:
    assert set(aggregate_sources()) | set(row_tables()) <= set(raw_table_sources())


def test_new_deliveries_select_their_sources_and_the_ledger_models() -> None:
    selected = dbt_selection(record(inbox="i0"), True, PARTS, {"school_absence_dropout"}, {"school_absence"})
    assert selected == ["source:school_absence+", LEDGER_MODELS_SELECTOR]
    assert LEDGER_MODELS_SELECTOR == "path:models/staging/ledger+"


def test_a_rejected_or_duplicate_file_selects_its_source_and_the_ledger_models() -> None:
    selected = dbt_selection(record(inbox="i0"), True, PARTS, {"school_absence_dropout"}, {"school_absence", "novax"})
    assert selected == ["source:novax+", "source:school_absence+", LEDGER_MODELS_SELECTOR]
    assert dbt_selection(record(inbox="i0"), True, PARTS, set(), {"kmd_opera"}) == ["source:kmd_opera+",
                                                                                   LEDGER_MODELS_SELECTOR]


def test_a_file_of_a_source_dbt_does_not_declare_selects_every_reader_of_the_ledger() -> None:
    selected = dbt_selection(record(inbox="i0"), True, PARTS, set(), {"novax", "ukendt_mappe"})
    assert selected == ["source:novax+", LEDGER_SELECTOR]


def test_a_new_as_of_date_alone_rebuilds_only_the_models_that_read_it() -> None:
    assert dbt_selection(record(as_of="2026-11-22"), True, PARTS, set(), set()) == [AS_OF_SELECTOR]
    selected = dbt_selection(record(as_of="2026-11-22"), True, PARTS, {"novax"}, {"novax"})
    assert selected == ["source:novax+", LEDGER_MODELS_SELECTOR, AS_OF_SELECTOR]


def test_an_inbox_change_that_wrote_nothing_selects_a_small_build_not_everything() -> None:
    assert dbt_selection(record(inbox="i0"), True, PARTS, set(), set()) == [LEDGER_MODELS_SELECTOR]


def test_the_ledger_models_selector_names_a_folder_of_the_project() -> None:
    assert (DBT_PROJECT_DIR / LEDGER_MODELS).is_dir()
    assert {p.stem for p in (DBT_PROJECT_DIR / LEDGER_MODELS).glob("*.sql")} == {
        "stg_ledger__load_ledger", "stg_ledger__delivery_gaps"}


@pytest.mark.parametrize("part", ["code", "reference", "plan_id", "key"])
def test_changed_code_reference_plan_or_key_means_a_full_build(part: str) -> None:
    assert dbt_selection(record(**{part: "other"}), True, PARTS, {"police_haervaerk"}, {"police_haervaerk"}) is None


def test_no_record_an_unusable_one_or_an_undeclared_table_means_a_full_build() -> None:
    assert dbt_selection(None, False, PARTS, set(), {"novax"}) is None
    assert dbt_selection(record(), False, PARTS, set(), {"novax"}) is None
    assert dbt_selection(InputsRecord("fp", {}, {}, {}), True, PARTS, set(), {"novax"}) is None
    assert dbt_selection(record(), True, PARTS, {"not_a_source"}, {"novax"}) is None
