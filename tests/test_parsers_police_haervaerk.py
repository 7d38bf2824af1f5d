"""police_haervaerk: the sample extracts, the documents' 2015 figure and the −15 % chained rule's inputs."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipelines.delivery.errors import DeliveryRejected
from pipelines.parse.police_haervaerk import PARSER
from pipelines.sample import police_haervaerk as sample
from pipelines.validate.suites import validate_frame
from tests.parser_helpers import parse_sample

AREAS = ["motalavej", "ringparken", "sydbyen", "skaelskoer"]


@pytest.fixture(scope="module")
def sample_folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("haervaerk")


@pytest.fixture(scope="module")
def frames(sample_folder: Path) -> dict[str, pl.DataFrame]:
    return parse_sample(PARSER.source_system, sample.write, sample_folder)


@pytest.fixture(scope="module")
def sample_files(sample_folder: Path, frames: dict[str, pl.DataFrame]) -> list[Path]:
    return sorted(sample_folder / name for name in frames)


@pytest.fixture(scope="module")
def latest(frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """What the warehouse keeps: the latest delivery of each year (the June 2019 correction wins)."""
    by_period: dict[str, str] = {}
    for name in sorted(frames):
        by_period[name.split("_")[2]] = name
    return pl.concat([frames[name] for name in by_period.values()])


def _counts(frame: pl.DataFrame, year: int) -> dict[str, float | None]:
    rows = frame.filter(pl.col("period") == str(year))
    return dict(zip(rows["area_key"], rows["value"], strict=True))


def test_sample_covers_2015_to_2025_with_one_correction(sample_files: list[Path]) -> None:
    names = sorted(p.name for p in sample_files)
    assert names[0] == "police_haervaerk_2015_20160214.csv" and names[-1] == "police_haervaerk_2025_20260214.csv"
    assert [n for n in names if "_2019_" in n] == ["police_haervaerk_2019_20200214.csv",
                                                   "police_haervaerk_2019_20200612.csv"]
    data = sample_files[0].read_bytes()
    assert "År;Område".encode("cp1252") in data and "År".encode() not in data  # cp1252, as the police export


def test_2015_areas_sum_to_the_documents_123_cases(latest: pl.DataFrame, reference_figures: dict) -> None:
    figures = [f for f in reference_figures["figures"] if f["topic"] == "haervaerk" and f["unit"] == "count"]
    assert [f["id"] for f in figures] == ["ref_haervaerk_cases_combined_2015"]
    assert sum(_counts(latest, 2015).values()) == figures[0]["value"]


def test_dash_gives_no_row_and_dot_a_suppressed_row(latest: pl.DataFrame) -> None:
    assert set(_counts(latest, 2023)) == {"motalavej", "ringparken", "sydbyen"}  # Skælskør '-': not available
    suppressed = latest.filter(pl.col("suppressed"))
    assert suppressed.select("area_key", "period", "value").rows() == [("sydbyen", "2024", None)]
    assert latest.filter(pl.col("label").str.to_lowercase() == "i alt").height == 0


def test_the_2019_correction_replaces_ringparken(frames: dict[str, pl.DataFrame], latest: pl.DataFrame) -> None:
    first = _counts(frames["police_haervaerk_2019_20200214.csv"], 2019)
    assert (first["ringparken"], _counts(latest, 2019)["ringparken"]) == (44, 40)


def test_chained_minus_15_rule_has_met_and_not_met_years(latest: pl.DataFrame) -> None:
    """haervaerk_yearly_minus15_2017_2021: value ≤ 0,85 × previous year, 2018-2021, per area and summed."""
    outcomes = set()
    for year in range(2018, 2022):
        now, before = _counts(latest, year), _counts(latest, year - 1)
        outcomes |= {now[a] <= 0.85 * before[a] for a in AREAS}
        outcomes.add(sum(now[a] for a in AREAS) <= 0.85 * sum(before[a] for a in AREAS))
    assert outcomes == {True, False}


def test_sample_passes_the_gx_suite(frames: dict[str, pl.DataFrame]) -> None:
    for name, frame in frames.items():
        validate_frame(frame, PARSER.source_system, name, {"file_periods": [name.split("_")[2]]})


def test_gx_suite_rejects_a_frame_from_another_year(frames: dict[str, pl.DataFrame]) -> None:
    with pytest.raises(DeliveryRejected, match="kolonne period"):
        validate_frame(frames["police_haervaerk_2018_20190214.csv"], PARSER.source_system, "x.csv",
                       {"file_periods": ["2017"]})
