"""Many programmes: the programmes file, the second sample programme, and one nightly for both that also
publishes each into its own PostgreSQL schema (`publish_targets`), readable only by its own evaluators."""

from __future__ import annotations

from pathlib import Path

import duckdb
import psycopg
import pytest
import yaml

from pipelines.publish.contract_audit import check_contract
from pipelines.publish.local_cluster import SUPERUSER_PASSWORD, start_local_cluster
from pipelines.publish.postgres import init_roles
from pipelines.publish.programmes import ProgrammesError, read_programmes
from pipelines.report.explain import criteria_overview
from pipelines.sample.programmes import eksempelby
from pipelines.settings import REPO_ROOT
from tests.conftest import AS_OF, PublishedDemo, run_kpi


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_the_project_programmes_file_lists_both_samples() -> None:
    listed = read_programmes(REPO_ROOT / "sources" / "programmes.toml")
    assert [p.plan_id for p in listed] == ["slagelse", "eksempelby"]
    assert all(p.sources.is_dir() for p in listed)
    assert len({p.warehouse.parent for p in listed}) == 2
    assert [(p.cron, p.timezone) for p in listed] == [("0 2 * * *", "Europe/Copenhagen")] * 2


def test_a_programme_states_its_own_schedule(tmp_path: Path) -> None:
    listed = read_programmes(_write(tmp_path / "programmes.toml",
                                    "[[programme]]\nplan_id = 'a'\nsources = 'x'\nwarehouse = 'a/a.duckdb'\n"
                                    "cron = '30 1 * * 1-5'\ntimezone = 'UTC'\n"))
    assert [(p.cron, p.timezone) for p in listed] == [("30 1 * * 1-5", "UTC")]


@pytest.mark.parametrize(("text", "problem"), [
    ("[[programme]]\nplan_id = 'a'\nsources = 'x'\n", "mangler warehouse"),
    ("[[programme]]\nplan_id = 'Slagelse Kommune'\nsources = 'x'\nwarehouse = 'a.duckdb'\n", "Ugyldigt programnavn"),
    ("[[programme]]\nplan_id = 'a'\nsources = 'x'\nwarehouse = 'a.duckdb'\n"
     "[[programme]]\nplan_id = 'a'\nsources = 'y'\nwarehouse = 'b.duckdb'\n", "sit eget plan_id"),
    ("[[programme]]\nplan_id = 'a'\nsources = 'x'\nwarehouse = 'w/a.duckdb'\n"
     "[[programme]]\nplan_id = 'b'\nsources = 'y'\nwarehouse = 'w/b.duckdb'\n", "sin egen mappe"),
    ("", "ingen programmer"),
    ("[[programme]\n", "kan ikke læses"),
])
def test_a_malformed_programmes_file_is_named(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(ProgrammesError, match=problem):
        read_programmes(_write(tmp_path / "programmes.toml", text))


def test_the_second_programme_has_its_own_areas_and_a_subset_of_the_criteria() -> None:
    catalog = eksempelby.catalog()
    project = yaml.safe_load((REPO_ROOT / "sources" / "reference" / "criteria.yaml").read_text(encoding="utf-8"))
    ids = {c["id"] for c in catalog["criteria"]}
    assert ids < {c["id"] for c in project["criteria"]}
    assert {"strat_tt_haervaerk_reports_yearly_minus15", "act_komm_website_unique_visitors"} <= ids
    assert set(catalog["areas"]) == {"nordbyen", "vestparken", "combined"}
    assert all(set(c["areas"]) <= {"nordbyen", "vestparken", "combined"} for c in catalog["criteria"])


def test_the_committed_second_programme_is_what_the_generator_writes(tmp_path: Path) -> None:
    committed = REPO_ROOT / "sources" / "programmes" / "eksempelby"
    written = eksempelby.write_programme(tmp_path)
    assert sorted(p.relative_to(tmp_path) for p in written) == sorted(
        p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
    for path in written:
        assert path.read_bytes() == (committed / path.relative_to(tmp_path)).read_bytes(), path.name


@pytest.mark.e2e
def test_one_nightly_builds_and_publishes_every_programme(published_demo: PublishedDemo, tmp_path: Path) -> None:
    slagelse = published_demo.copy_to(tmp_path / "slagelse")
    eksempelby.write_programme(tmp_path / "eksempelby")
    programmes = _write(tmp_path / "programmes.toml", f"""
[[programme]]
plan_id = "slagelse"
sources = "{slagelse.sources}"
warehouse = "{slagelse.warehouse}"

[[programme]]
plan_id = "eksempelby"
sources = "eksempelby"
warehouse = "warehouses/eksempelby/eksempelby.duckdb"
""")
    cluster = start_local_cluster()
    try:
        admin = cluster.dsn(password=SUPERUSER_PASSWORD)
        init_roles(admin, "slagelse", "eva_slagelse", "pw-s")
        init_roles(admin, "eksempelby", "eva_eksempelby", "pw-e")
        done = run_kpi("nightly", "--programmes", str(programmes), "--as-of", AS_OF,
                       env={"KPI_PUBLISH_TARGETS": admin})
        assert done.returncode == 0, done.stdout + done.stderr
        said = " ".join(done.stdout.split())
        assert "Program slagelse" in said and "Program eksempelby" in said
        other_warehouse = tmp_path / "warehouses" / "eksempelby" / "eksempelby.duckdb"
        with duckdb.connect(str(other_warehouse), read_only=True) as con:
            statuses = dict(con.execute("select area_key, count(*) from kpi_status "
                                        "where status not in ('missing_data', 'not_due') group by 1").fetchall())
            assert {"nordbyen", "vestparken", "combined"} <= set(statuses)
            assert con.execute("select count(*) from criteria").fetchone()[0] == len(eksempelby.catalog()["criteria"])
            # its own areas, by its own names (issue 21): `kpi criteria`, the contract check, the report
            headings = [column.header for column in criteria_overview(con).columns][2:]
            assert headings == ["Nordbyen", "Vestparken", "Samlet (puljet)", "Samlet (gennemsnit)"]
            assert not [p for p in check_contract(con).problems if p.kind == "area_key"]
        with duckdb.connect(str(other_warehouse.with_name("eksempelby.internal.duckdb")), read_only=True) as con:
            named = dict(con.execute("select area_key, name_da from raw.catalog_area_names").fetchall())
            assert named["nordbyen"] == "Nordbyen" and named["combined"] == "de to områder samlet"
        report = (other_warehouse.parent / "reports" / "kpi_rapport.html").read_text(encoding="utf-8")
        assert 'id="status-counts-Nordbyen"' in report and "Motalavej" not in report
        assert (tmp_path / "warehouses" / "eksempelby" / "eksempelby.duckdb.lock").is_file()
        reader = cluster.dsn("eva_eksempelby", password="pw-e")
        with psycopg.connect(reader) as con:
            areas = {a for (a,) in con.execute("select distinct area_key from eksempelby.kpi_status").fetchall()}
            assert "nordbyen" in areas and "motalavej" not in areas
            assert con.execute("select distinct plan_id from all_plans.kpi_status").fetchall() == [("eksempelby",)]
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                con.execute("select count(*) from slagelse.kpi_status")
        with psycopg.connect(admin) as con:
            plans = {p for (p,) in con.execute("select distinct plan_id from all_plans.kpi_status").fetchall()}
        assert plans == {"slagelse", "eksempelby"}
    finally:
        cluster.stop()
