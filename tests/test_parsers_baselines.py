"""Baseline decisions delivered as files: what is accepted and every way such a file is rejected."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.delivery.errors import DeliveryRejected
from pipelines.delivery.filenames import parse_file_name
from pipelines.parse.baselines import PARSER
from pipelines.sample import baselines as sample

HEADER = "criterion_id;area_key;period;value;decided_by;note\n"


def parse(path: Path, context):
    return PARSER.parse(path, parse_file_name(path, "baselines", extensions=PARSER.extensions), context)


def write(tmp_path: Path, body: str, name: str = "baselines_2017_20180315.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_sample_decisions_are_read_with_area_names_mapped(tmp_path: Path, parse_context) -> None:
    frame = parse(sample.write(tmp_path)[0], parse_context).frame
    rows = {(r["indicator"], r["area_key"]): r for r in frame.iter_rows(named=True)}
    assert rows[("strat_ub_school_absence", "combined")]["value"] == pytest.approx(7.9)
    assert rows[("strat_ub_school_absence", "motalavej")]["value"] == pytest.approx(8.6)  # "Motalavej" → key
    assert rows[("strat_ub_school_absence", "motalavej")]["label"].startswith("Bestyrelsen")
    assert set(frame["period"]) == {"2016/17"}  # the board decided the school year 2016/17 (sample)


@pytest.mark.parametrize(("body", "column", "found"), [
    ("no_such_criterion;combined;2017;7,9;;\n", "criterion_id", "ukendt kriterie-id"),
    ("strat_ub_school_absence;Ringarken;2017;7,9;;\n", "area_key", "ukendt område"),
    ("strat_ub_school_absence;combined;2016;7,9;;\n", "period", "uden for filens periode"),
    ("strat_ub_school_absence;combined;sidste år;7,9;;\n", "period", "ikke en periode"),
    ("strat_ub_school_absence;combined;2017;syv;;\n", "value", "ikke et tal"),
    ("strat_ub_school_absence;combined;2017;..;;\n", "value", ".."),
])
def test_bad_rows_are_rejected_naming_row_and_column(tmp_path: Path, parse_context, body: str, column: str,
                                                     found: str) -> None:
    with pytest.raises(DeliveryRejected) as caught:
        parse(write(tmp_path, body), parse_context)
    assert caught.value.row == 2 and caught.value.column == column
    assert found in caught.value.message


def test_cpr_in_a_note_is_rejected_without_repeating_it(tmp_path: Path, parse_context) -> None:
    path = write(tmp_path, "strat_ub_school_absence;combined;2017;7,9;Bestyrelsen;jf. 010194-7551\n")
    with pytest.raises(DeliveryRejected) as caught:
        parse(path, parse_context)
    assert "7551" not in caught.value.message and "CPR" in caught.value.message


def test_missing_value_column_is_rejected(tmp_path: Path, parse_context) -> None:
    path = tmp_path / "baselines_2017_20180315.csv"
    path.write_text("criterion_id;area_key;period\nstrat_ub_school_absence;combined;2017\n", encoding="utf-8")
    with pytest.raises(DeliveryRejected, match="kolonnen value mangler"):
        parse(path, parse_context)
