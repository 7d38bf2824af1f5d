"""Many programmes: the programmes file, the second sample programme (Fjordby, authored in its catalog workbook),
and one nightly for both that also publishes each into its own PostgreSQL schema (`publish_targets`), readable only
by its own evaluators, with Fjordby's statuses computed by hand from its sample deliveries."""

from __future__ import annotations

from pathlib import Path

import duckdb
import psycopg
import pytest
import yaml

from pipelines.catalog_workbook.files import load_checked
from pipelines.catalog_workbook.vocab import project_vocabulary
from pipelines.publish.contract_audit import check_contract
from pipelines.publish.local_cluster import SUPERUSER_PASSWORD, start_local_cluster
from pipelines.publish.postgres import init_roles
from pipelines.publish.programmes import ProgrammesError, read_programmes
from pipelines.report.explain import criteria_overview
from pipelines.report.programme import ProgrammeHeading, programme_heading
from pipelines.sample.programmes import fjordby
from pipelines.settings import REPO_ROOT
from tests.conftest import AS_OF, PublishedDemo, run_kpi

FJORDBY = REPO_ROOT / "sources" / "programmes" / "fjordby"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_the_project_programmes_file_lists_both_samples() -> None:
    listed = read_programmes(REPO_ROOT / "sources" / "programmes.toml")
    assert [p.plan_id for p in listed] == ["slagelse", "fjordby"]
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


def _fjordby_catalog() -> dict:
    return yaml.safe_load((FJORDBY / "reference" / "criteria.yaml").read_text(encoding="utf-8"))


def test_the_committed_catalog_is_what_importing_the_workbook_gives(tmp_path: Path) -> None:
    done = run_kpi("catalog", "import", str(fjordby.WORKBOOK), "--out", str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    for name in ("criteria.yaml", "readings.yaml"):
        assert (tmp_path / name).read_bytes() == (FJORDBY / "reference" / name).read_bytes(), name


def test_the_second_programme_differs_in_shape_and_covers_every_rule_kind() -> None:
    catalog = _fjordby_catalog()
    assert catalog["meta"]["programme"] == {"name": "Helhedsplan Fjordby og Strandvig 2022-2026",
                                            "municipality": "Fjordby Kommune"}
    assert catalog["plan_periods"] == {"p2022_2026": "2022-01-01/2026-12-31"}  # inside LBF's 2019-2026 funding
    areas = {k: a for k, a in catalog["areas"].items() if k != "combined"}
    assert sorted(areas) == ["bakkehusene", "engparken", "havnegade"]
    assert {a["town"] for a in areas.values()} == {"Fjordby", "Strandvig"}
    criteria = catalog["criteria"]
    assert len(criteria) >= 25
    assert {c["target_rule"]["kind"] for c in criteria} == set(project_vocabulary().rule_kinds)
    sources = {c["source_system"] for c in criteria}
    assert {"kmd_opera", "school_absence", "police_haervaerk", "vive_lbf_survey", "samarbejdsudvalg_evaluation",
            "none"} <= sources
    slagelse = yaml.safe_load((REPO_ROOT / "sources" / "reference" / "criteria.yaml").read_text(encoding="utf-8"))
    assert not {c["id"] for c in criteria} & {c["id"] for c in slagelse["criteria"]}
    assert load_checked(fjordby.WORKBOOK).ok


@pytest.mark.parametrize(("meta", "heading"), [
    ("meta:\n  programme: {name: Helhedsplan Fjordby, municipality: Fjordby Kommune}\n",
     ProgrammeHeading("Helhedsplan Fjordby", "Fjordby Kommune")),
    ("meta:\n  programme: {name: Helhedsplan Fjordby}\n", ProgrammeHeading("Helhedsplan Fjordby", "")),
    ("meta:\n  programme: 'a text, as catalogs before the workbook wrote it'\n", ProgrammeHeading()),
    ("meta: {version: 2}\n", ProgrammeHeading()),
])
def test_the_report_is_headed_by_the_catalogs_programme(tmp_path: Path, meta: str, heading: ProgrammeHeading) -> None:
    assert programme_heading(_write(tmp_path / "criteria.yaml", meta)) == heading
    assert programme_heading(REPO_ROOT / "sources" / "reference" / "criteria.yaml") == ProgrammeHeading(
        "En fælles boligsocial indsats", "Slagelse Kommune")


def test_the_committed_second_programme_is_what_the_generator_writes(tmp_path: Path) -> None:
    written = fjordby.write_programme(tmp_path)
    committed = [p for p in FJORDBY.rglob("*") if p.is_file() and p != fjordby.WORKBOOK]
    assert sorted(p.relative_to(tmp_path) for p in written) == sorted(p.relative_to(FJORDBY) for p in committed)
    for path in written:
        assert path.read_bytes() == (FJORDBY / path.relative_to(tmp_path)).read_bytes(), path.name


def test_its_templates_carry_its_own_areas_and_criteria(tmp_path: Path) -> None:
    from datetime import date

    import openpyxl

    from pipelines.supplier_templates.generate import write_templates

    written = write_templates(FJORDBY / "reference" / "criteria.yaml", "2025", tmp_path, date(2026, 1, 5))
    assert sorted(p.parent.name for p in written) == ["event_attendance_estimate", "partnership_followup",
                                                      "qualitative_interviews", "samarbejdsudvalg_evaluation"]
    event = next(p for p in written if p.parent.name == "event_attendance_estimate")
    rows = list(openpyxl.load_workbook(event).worksheets[0].iter_rows(values_only=True))
    assert rows[1][:3] == ("2025", "Havnegade", "deltagere_anslaaet")


# Fjordby's statuses, computed by hand from the generator's figures (pipelines/sample/programmes/fjordby.py).
HAND_COMPUTED = [
    # yearly_pct_change_vs_previous_year, -10 %: Bakkehusene's reports 30 (2023) -> 28 (2024) is -6,7 %
    ("haervaerk_minus10_aarligt", "bakkehusene", "2024", 28, "not_met"),
    # ... and 35 (2022) -> 30 (2023) is -14,3 %
    ("haervaerk_minus10_aarligt", "bakkehusene", "2023", 30, "met"),
    # KMD Opera, combined, -5 %: spells in force in 2022: 9 + 8 + 6 = 23 of 24 in 2021 (-4,2 %);
    # 2023: 8 + 7 + 6 = 21 (-8,7 %)
    ("ydelsesmodtagere_minus5_aarligt", "combined", "2022", 23, "not_met"),
    ("ydelsesmodtagere_minus5_aarligt", "combined", "2023", 21, "met"),
    # change_vs_baseline, decrease: reports in the three areas 24 + 12 + 10 = 46 in 2025 against 40 + 20 + 15 = 75
    ("haervaerk_samlet_fald", "combined", "2025", 46, "on_track"),
    # KMD Opera per area: Bakkehusene's 10 residents, spells ending 2021, 2022, 2024 and 7 x 2025 -> 8 in 2024 < 10
    ("ydelsesmodtagere_falder", "bakkehusene", "2024", 8, "on_track"),
    # school absence per area: 6 pupils x 13 days / (6 x 200 days) = 6,5 % in 2023/24 against 8,0 % in 2021/22
    ("skolefravaer_falder", "bakkehusene", "2023/24", 6.5, "on_track"),
    # absolute_threshold, at most 7 %: pooled (13 + 11 + 12) x 6 / (18 x 200) = 216 / 3600 = 6,0 % in 2023/24
    ("skolefravaer_hoejst_7", "combined", "2023/24", 6.0, "met"),
    # ... and at most 10 % hash use: Engparken 11 / 150 = 7,3 % in 2025
    ("hashbrug_hoejst_10", "engparken", "2025", 7.3, "met"),
    # reach_by_date, at least 1.500 by 2025: 1.400 in 2024 is behind, 1.650 in 2025 reaches it
    ("kulturfestival_deltagere", "havnegade", "2024", 1400, "off_track"),
    ("kulturfestival_deltagere", "havnegade", "2025", 1650, "met"),
    # yearly_count_at_least 1: no annual conference in 2024
    ("aarskonference", "combined", "2024", 0, "not_met"),
    # share_at_least 55 %: Havnegade 31 / 60 = 51,7 % in 2022, 33 / 60 = 55,0 % in 2023
    ("faellesskab_andel", "havnegade", "2022", 51.7, "not_met"),
    ("faellesskab_andel", "havnegade", "2023", 55.0, "met"),
    # qualitative: the committee's verdict for 2024 is delivered as "ikke opfyldt"
    ("samarbejdsudvalg_vurdering", "combined", "2024", None, "qualitative"),
]


@pytest.mark.slow
@pytest.mark.e2e
def test_one_nightly_builds_and_publishes_every_programme(published_demo: PublishedDemo, tmp_path: Path) -> None:
    slagelse = published_demo.copy_to(tmp_path / "slagelse")
    fjordby.write_programme(tmp_path / "fjordby")
    programmes = _write(tmp_path / "programmes.toml", f"""
[[programme]]
plan_id = "slagelse"
sources = "{slagelse.sources}"
warehouse = "{slagelse.warehouse}"

[[programme]]
plan_id = "fjordby"
sources = "fjordby"
warehouse = "warehouses/fjordby/fjordby.duckdb"
""")
    cluster = start_local_cluster()
    try:
        admin = cluster.dsn(password=SUPERUSER_PASSWORD)
        init_roles(admin, "slagelse", "eva_slagelse", "pw-s")
        init_roles(admin, "fjordby", "eva_fjordby", "pw-f")
        done = run_kpi("nightly", "--programmes", str(programmes), "--as-of", AS_OF,
                       env={"KPI_PUBLISH_TARGETS": admin})
        assert done.returncode == 0, done.stdout + done.stderr
        said = " ".join(done.stdout.split())
        assert "Program slagelse" in said and "Program fjordby" in said
        other_warehouse = tmp_path / "warehouses" / "fjordby" / "fjordby.duckdb"
        with duckdb.connect(str(other_warehouse), read_only=True) as con:
            found = {(c, a, p): (v, s) for c, a, p, v, s in con.execute(
                "select criterion_id, area_key, period, value, status from kpi_status").fetchall()}
            assert {key[:3]: found.get(key[:3]) for key in HAND_COMPUTED} == {
                (c, a, p): (v, s) for c, a, p, v, s in HAND_COMPUTED}
            reasons = [r for (r,) in con.execute("select status_reason from kpi_status").fetchall() if r]
            assert not [r for r in reasons if "Motalavej" in r or "fire områder" in r]
            assert con.execute("select count(*) from criteria").fetchone()[0] == len(_fjordby_catalog()["criteria"])
            # its own areas, by its own names (issue 21): `kpi criteria`, the contract check, the report
            headings = [column.header for column in criteria_overview(con).columns][2:]
            assert headings == ["Bakkehusene", "Engparken", "Havnegade", "Samlet (puljet)", "Samlet (gennemsnit)"]
            assert not [p for p in check_contract(con).problems if p.kind == "area_key"]
            # its own suppliers and deadlines: nothing is missing in the sample, every supplier is its own
            suppliers = {s for (s,) in con.execute("select distinct supplier from data_gaps").fetchall()}
            assert not [s for s in suppliers if "Slagelse" in s]
        report = (other_warehouse.parent / "reports" / "kpi_rapport.html").read_text(encoding="utf-8")
        assert "Helhedsplan Fjordby og Strandvig 2022-2026 · Fjordby Kommune" in report
        assert 'id="status-counts-Bakkehusene"' in report and "Motalavej" not in report
        gaps = run_kpi("gaps", "--warehouse", str(other_warehouse), "--format", "csv")
        assert gaps.returncode == 0 and "Slagelse" not in gaps.stdout, gaps.stdout + gaps.stderr
        reader = cluster.dsn("eva_fjordby", password="pw-f")
        with psycopg.connect(reader) as con:
            areas = {a for (a,) in con.execute("select distinct area_key from fjordby.kpi_status").fetchall()}
            assert {"bakkehusene", "engparken", "havnegade"} <= areas and "motalavej" not in areas
            assert con.execute("select distinct plan_id from all_plans.kpi_status").fetchall() == [("fjordby",)]
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                con.execute("select count(*) from slagelse.kpi_status")
        with psycopg.connect(admin) as con:
            plans = {p for (p,) in con.execute("select distinct plan_id from all_plans.kpi_status").fetchall()}
        assert plans == {"slagelse", "fjordby"}
    finally:
        cluster.stop()
