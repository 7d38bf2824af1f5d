"""`kpi sample --programmes N`: synthetic programmes of varied shape that the programmes file, the catalog loader,
the address book and the GX suites accept; one nightly of a generated programme (issue 25)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.catalog.load import read_catalog
from pipelines.delivery.errors import DeliveryRejected
from pipelines.publish.programmes import read_programmes
from pipelines.reference.addresses import AddressBook
from pipelines.sample.programmes.fleet import shape, write_fleet
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
def test_a_generated_programme_builds_with_no_file_rejected(fleet: Path) -> None:
    programme = next(p for p in read_programmes(fleet / "programmes.toml")
                     if (p.sources / "inbox" / "school_absence").is_dir())
    done = run_kpi("nightly", "--sources", str(programme.sources), "--warehouse", str(programme.warehouse),
                   "--as-of", AS_OF, "--no-report")
    assert done.returncode == 0, done.stdout + done.stderr
    files = sum(1 for p in (programme.sources / "inbox").rglob("*.csv"))
    assert f"Indlæst: {files} filer, dubletter: 0, afvist: 0." in " ".join(done.stdout.split())
    with duckdb.connect(str(programme.warehouse), read_only=True) as con:
        measured = {a for (a,) in con.execute("select distinct area_key from measurements "
                                              "where source_system = 'police_haervaerk'").fetchall()}
        judged = {a for (a,) in con.execute("select distinct area_key from kpi_status").fetchall()}
    areas = set(read_catalog(programme.sources / "reference" / "criteria.yaml").areas) - {"combined"}
    assert measured == areas
    assert judged and not judged & SLAGELSE_AREAS
