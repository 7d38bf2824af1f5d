"""`kpi sample --programmes N`: synthetic programmes of varied shape that the programmes file, the catalog loader,
the address book and the GX suites accept; one nightly of a generated programme (issue 25)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import polars as pl
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from pipelines.catalog.load import read_catalog
from pipelines.catalog_workbook.files import load_checked
from pipelines.delivery.errors import DeliveryRejected
from pipelines.publish.programmes import read_programmes
from pipelines.reference.addresses import AddressBook
from pipelines.sample.programmes.fleet import later, new_period_delivery, readings, shape, write_fleet
from pipelines.validate.suites import validate_frame
from tests.conftest import AS_OF, run_kpi

SLAGELSE_AREAS = {"motalavej", "ringparken", "sydbyen", "skaelskoer"}


def _digest(root: Path) -> str:
    hashed = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        hashed.update(str(path.relative_to(root)).encode() + path.read_bytes())
    return hashed.hexdigest()


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fleet")
    done = run_kpi("sample", "--programmes", "3", "--target", str(root), "--seed", "7")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Skrev 3 programmer" in done.stdout
    return root


def test_three_programmes_are_listed_and_their_catalogs_load(fleet: Path) -> None:
    programmes = read_programmes(fleet / "programmes.toml")
    assert [p.plan_id for p in programmes] == ["program_001", "program_002", "program_003"]
    assert len({p.cron for p in programmes}) == 3  # spread over the night, not all at once
    for programme in programmes:
        catalog = read_catalog(programme.sources / "reference" / "criteria.yaml")
        areas = set(catalog.areas) - {"combined"}
        assert 2 <= len(areas) <= 8 and not areas & SLAGELSE_AREAS
        assert catalog.criteria, programme.plan_id
        assert all(set(c["areas"]) <= areas | {"combined"} for c in catalog.criteria)
        assert set(catalog.plan_periods.values()) == {c["plan_period"] for c in catalog.criteria}
        criteria_file = programme.sources / "reference" / "criteria.yaml"  # made through the catalog workbook
        assert criteria_file.read_text(encoding="utf-8").startswith("# Skrevet af 'kpi catalog import' fra katalog")
        assert load_checked(criteria_file).problems == []
        ids = {c["id"] for c in catalog.criteria}
        assert all(c["target_rule"].get("same_as", c["id"]) in ids and set(c["related_ids"]) <= ids
                   for c in catalog.criteria)
        assert (programme.sources / "inbox" / "police_haervaerk").is_dir()
        calendar = (programme.sources / "reference" / "delivery_calendar.csv").read_text(encoding="utf-8")
        assert {line.split(";")[0] for line in calendar.splitlines()[1:]} == {
            p.name for p in (programme.sources / "inbox").iterdir()}


def test_the_programmes_differ_in_shape() -> None:
    shapes = [shape(7, number) for number in range(1, 21)]
    assert len({len(s.areas) for s in shapes}) >= 4
    assert len({s.criteria for s in shapes}) >= 10
    assert any("school_absence" in s.sources for s in shapes)  # person level
    assert any("school_absence" not in s.sources for s in shapes)
    assert {s.years_later for s in shapes} == {0, 4}  # plan periods 2017-2021 and 2021-2025


def test_a_later_programme_has_every_year_of_its_criteria_and_readings_moved_and_the_quotes_kept() -> None:
    criterion = {"id": "school_absence_2017_2021", "plan_period": "2017-10-01/2021-09-30",
                 "text_da": "Skolefraværet reduceres i perioden 2017-2021",
                 "target_rule": {"kind": "change_vs_baseline", "baseline_year": 2017, "end_year": 2021,
                                 "within_years": 2, "pct": -30, "date": "2018-12-31",
                                 "implied_path": {2018: 10000, 2019: 10800}},
                 "baseline": [{"area": "all_areas", "year": 2017, "value": 2015, "quote": "ultimo 2017",
                               "seed_ref": "000_f61f947226ade497.txt:607-608"}]}
    assert later(criterion, 4) == {
        "id": "school_absence_2021_2025", "plan_period": "2021-10-01/2025-09-30",
        "text_da": "Skolefraværet reduceres i perioden 2021-2025",
        "target_rule": {"kind": "change_vs_baseline", "baseline_year": 2021, "end_year": 2025,
                        "within_years": 2, "pct": -30, "date": "2022-12-31",
                        "implied_path": {2022: 10000, 2023: 10800}},
        "baseline": [{"area": "all_areas", "year": 2021, "value": 2015, "quote": "ultimo 2017",
                      "seed_ref": "000_f61f947226ade497.txt:607-608"}]}
    reading = {"baseline_period": "2016/17", "last_period": "2020/21", "due_period": "2019Q4",
               "first_evaluated_period": 2018}
    assert later({"school_absence_2017_2021": reading}, 4) == {"school_absence_2021_2025": {
        "baseline_period": "2020/21", "last_period": "2024/25", "due_period": "2023Q4", "first_evaluated_period": 2022}}
    assert later(criterion, 0) is criterion


@given(st.integers(2000, 2040), st.integers(1, 4), st.sampled_from(["{y}", "{y}Q{q}", "{y}-10-01", "{y}/{s}",
                                                                     "id_{y}_{z}", "ultimo {y}."]))
def test_moving_a_period_label_forward_and_back_gives_it_back(year: int, quarter: int, form: str) -> None:
    label = form.format(y=year, q=quarter, s=f"{(year + 1) % 100:02d}", z=year + 4)
    assert later(later(label, 4), -4) == label
    assert later(label, 4) == form.format(y=year + 4, q=quarter, s=f"{(year + 5) % 100:02d}", z=year + 8)


def test_each_programme_reads_slagelses_readings_of_its_own_criteria_in_its_own_period(fleet: Path) -> None:
    for programme in read_programmes(fleet / "programmes.toml"):
        catalog = read_catalog(programme.sources / "reference" / "criteria.yaml")
        written = yaml.safe_load((programme.sources / "reference" / "readings.yaml").read_text(encoding="utf-8"))
        assert set(written["readings"]) <= {c["canonical_id"] for c in catalog.criteria}
        (period,) = set(catalog.plan_periods.values())
        first, last = int(period[:4]), int(period[11:15])
        labels = [str(value) for reading in written["readings"].values()
                  for key, value in reading.items() if key.endswith("_period")]
        assert labels and all(first - 1 <= int(label[:4]) <= last for label in labels), (period, labels)


def test_the_new_period_is_the_one_after_the_programmes_last_delivery(tmp_path: Path) -> None:
    earlier, later_programme = shape(7, 1), shape(7, 2)
    assert (earlier.years_later, later_programme.years_later) == (0, 4)
    assert new_period_delivery(earlier, tmp_path / "a").name == "school_absence_dropout_2022Q1_20220415.csv"
    assert new_period_delivery(later_programme, tmp_path / "b").name == "school_absence_dropout_2026Q1_20260415.csv"
    aggregate = next(s for s in (shape(7, n) for n in range(1, 60))
                     if "school_absence" not in s.sources and s.years_later == 4)
    assert new_period_delivery(aggregate, tmp_path / "c").name == "police_haervaerk_2026_20261201.csv"
    assert readings(aggregate)["readings"]


def test_the_same_seed_writes_the_same_bytes(fleet: Path, tmp_path: Path) -> None:
    write_fleet(tmp_path / "again", 3, seed=7)
    write_fleet(tmp_path / "other", 3, seed=8)
    assert _digest(tmp_path / "again") == _digest(fleet)
    assert _digest(tmp_path / "other") != _digest(fleet)


def test_person_rows_live_on_the_programmes_streets(fleet: Path) -> None:
    (programme,) = [p for p in read_programmes(fleet / "programmes.toml")
                    if (p.sources / "inbox" / "school_absence").is_dir()][:1]
    book = AddressBook.from_reference(programme.sources / "reference")
    areas = set(read_catalog(programme.sources / "reference" / "criteria.yaml").areas) - {"combined"}
    found = []
    for path in sorted((programme.sources / "inbox" / "school_absence").glob("*.csv")):
        frame = pl.read_csv(path, separator=";", infer_schema=False)
        found += [book.area_of(row["Vejnavn"], row["Husnr"], row["Postnr"]) for row in frame.iter_rows(named=True)]
    inside = [area for area in found if area]
    assert inside and set(inside) <= areas
    assert len(inside) < len(found)  # the sample's addresses outside the areas stay outside


def test_a_person_level_suite_takes_the_programmes_own_areas() -> None:
    frame = pl.DataFrame({"quarter": ["2019Q1"], "pupil_id": ["a" * 64], "area_key": ["noerreparken"],
                          "source_row": [2]})
    name = "school_absence_dropout_2019Q1_20190415.csv"
    validate_frame(frame, "school_absence_dropout", name, {"file_periods": ["2019Q1"]},
                   programme_areas=["noerreparken", "solvaenget"])
    with pytest.raises(DeliveryRejected, match="area_key"):
        validate_frame(frame, "school_absence_dropout", name, {"file_periods": ["2019Q1"]},
                       programme_areas=list(SLAGELSE_AREAS))


@pytest.mark.e2e
@pytest.mark.parametrize(("plan_id", "plan_period"), [("program_001", "2017-10-01/2021-09-30"),
                                                      ("program_002", "2021-10-01/2025-09-30")])
def test_a_generated_programme_builds_with_no_file_rejected(fleet: Path, plan_id: str, plan_period: str) -> None:
    programme = next(p for p in read_programmes(fleet / "programmes.toml") if p.plan_id == plan_id)
    assert (programme.sources / "inbox" / "school_absence").is_dir()  # person level too
    done = run_kpi("nightly", "--sources", str(programme.sources), "--warehouse", str(programme.warehouse),
                   "--as-of", AS_OF, "--no-report")
    assert done.returncode == 0, done.stdout + done.stderr
    files = sum(1 for p in (programme.sources / "inbox").rglob("*.csv"))
    assert f"Indlæst: {files} filer, dubletter: 0, afvist: 0." in " ".join(done.stdout.split())
    with duckdb.connect(str(programme.warehouse), read_only=True) as con:
        measured = {a for (a,) in con.execute("select distinct area_key from measurements "
                                              "where source_system = 'police_haervaerk'").fetchall()}
        judged = {a for (a,) in con.execute("select distinct area_key from kpi_status").fetchall()}
    catalog = read_catalog(programme.sources / "reference" / "criteria.yaml")
    areas = set(catalog.areas) - {"combined"}
    assert measured == areas
    assert judged and not judged & SLAGELSE_AREAS
    assert set(catalog.plan_periods.values()) == {plan_period}
    first, last = int(plan_period[:4]), int(plan_period[11:15])
    with duckdb.connect(str(programme.warehouse), read_only=True) as con:
        evaluated = con.execute("select distinct period from kpi_status "
                                "where status in ('met', 'not_met', 'on_track', 'off_track')").fetchall()
    judged_years = {int(period[:4]) for (period,) in evaluated}
    assert judged_years and min(judged_years) >= first and max(judged_years) <= last
