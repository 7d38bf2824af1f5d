"""A new programme from an empty folder, with no code edited (issue 23): `kpi programme new`, the workbook filled
with openpyxl as a secretariat's Excel would, `kpi catalog check` clean, `kpi catalog import`, deliveries in the
inbox, and `kpi nightly --programmes` builds it with its own areas and criteria.

The fast checks of `kpi programme new` (layout, programmes.toml appended, refusals) run in-process here too.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipelines.catalog_workbook.layout import AREA_COLUMNS, AREAS, CRITERIA, CRITERION_COLUMNS
from pipelines.catalog_workbook.scaffold import CSV_FILES, ScaffoldError, new_programme
from pipelines.parse import registry
from tests.conftest import AS_OF, REFERENCE_DIR, run_kpi

PLAN = "2017-10-01/2021-09-30"
EXISTING = '[[programme]]\nplan_id = "slagelse"\nsources = "sample"\nwarehouse = "w/slagelse.duckdb"\n'


def test_programme_new_lays_out_the_folder_and_appends_its_line(tmp_path: Path) -> None:
    programmes = tmp_path / "programmes.toml"
    programmes.write_text(EXISTING, encoding="utf-8")
    made = new_programme("testby", "Helhedsplan Testby", tmp_path / "testby", programmes)
    for name in CSV_FILES:
        written = (made.folder / "reference" / name).read_text(encoding="utf-8")
        assert written == (REFERENCE_DIR / name).read_text(encoding="utf-8-sig").splitlines()[0] + "\n"
    assert sorted(p.name for p in (made.folder / "inbox").iterdir()) == sorted(registry())
    sheet = openpyxl.load_workbook(made.workbook)["Program"]
    assert (sheet["A2"].value, sheet["B2"].value) == ("Programnavn", "Helhedsplan Testby")
    text = programmes.read_text(encoding="utf-8")
    assert text.startswith(EXISTING)  # appended, never rewritten
    assert text[len(EXISTING):] == ('\n[[programme]]\nplan_id = "testby"\nname = "Helhedsplan Testby"\n'
                                    'sources = "testby"\nwarehouse = "warehouses/testby/testby.duckdb"\n')


@pytest.mark.parametrize(("plan_id", "says"), [("slagelse", "findes allerede"), ("Test By", "programnavn")])
def test_programme_new_refuses_an_existing_or_malformed_plan_id(tmp_path: Path, plan_id: str, says: str) -> None:
    programmes = tmp_path / "programmes.toml"
    programmes.write_text(EXISTING, encoding="utf-8")
    with pytest.raises(ScaffoldError, match=says):
        new_programme(plan_id, None, tmp_path / "new", programmes)
    assert programmes.read_text(encoding="utf-8") == EXISTING
    assert not (tmp_path / "new").exists()


def _fill(sheet, columns, rows: list[dict]) -> None:
    index = {c.header: i for i, c in enumerate(columns, start=1)}
    for number, row in enumerate(rows, start=2):
        for header, value in row.items():
            sheet.cell(row=number, column=index[header], value=value)


def _fill_catalog(workbook_path: Path) -> None:
    """Two areas and three criteria of the sources with sample deliveries (police_haervaerk, web_analytics)."""
    workbook = openpyxl.load_workbook(workbook_path)
    workbook["Program"]["B3"] = "Testby Kommune"
    workbook["Program"]["B6"] = PLAN
    _fill(workbook[AREAS], AREA_COLUMNS, [
        {"Nøgle": "nordbyen", "Navn": "Nordbyen", "By": "Testby", "Planperioder": PLAN},
        {"Nøgle": "vestparken", "Navn": "Vestparken", "By": "Testby", "Planperioder": PLAN},
        {"Nøgle": "combined", "Navn": "Nordbyen og Vestparken samlet"},
    ])
    common = {"Niveau": "strategic", "Kriterietype": "succeskriterium", "Planperiode": PLAN, "Enhed": "count",
              "Indsatsområde": "Tryghed og trivsel", "Frekvens": "yearly"}
    _fill(workbook[CRITERIA], CRITERION_COLUMNS, [
        {**common, "Id": "testby_haervaerk_minus_15", "Kriterietekst": "Hærværk falder 15 % om året i hvert område.",
         "Retning": "decrease", "Kildesystem": "police_haervaerk", "Indikator": "anmeldelser_af_haervaerk",
         "Områder": "nordbyen\nvestparken", "Granularitet": "per_area",
         "Regeltype": "yearly_pct_change_vs_previous_year", "Operator": "<=", "Procent": -15},
        {**common, "Id": "testby_haervaerk_samlet", "Kriterietekst": "Under 50 anmeldelser af hærværk samlet i 2021.",
         "Retning": "at_most", "Kildesystem": "police_haervaerk", "Indikator": "anmeldelser_af_haervaerk",
         "Områder": "nordbyen\nvestparken", "Granularitet": "combined", "Regeltype": "absolute_threshold",
         "Operator": "<", "Grænse": 50, "Frist": 2021},
        {**common, "Id": "testby_besoegende", "Kriterietekst": "Mindst 2.000 unikke besøgende på hjemmesiden.",
         "Retning": "at_least", "Kildesystem": "web_analytics", "Indikator": "unikke_besoegende",
         "Områder": "combined", "Granularitet": "combined", "Regeltype": "yearly_count_at_least", "Grænse": 2000},
    ])
    workbook.save(workbook_path)


def _append(path: Path, rows: list[str]) -> None:
    with path.open("a", encoding="utf-8") as out:
        out.write("".join(row + "\n" for row in rows))


def _fill_reference(reference: Path) -> None:
    """The secretariat's lists, under the headers `kpi programme new` wrote."""
    _append(reference / "area_aliases.csv", ["nordbyen;Nordbyen", "vestparken;Vestparken", "combined;Samlet"])
    _append(reference / "afdelinger.csv", ["Testby Bolig;1;Nordbyen;nordbyen;420",
                                           "Testby Bolig;3;Vestparken;vestparken;310"])
    _append(reference / "area_addresses.csv", ["Nordvej;1;99;alle;9999;Testby;nordbyen;Testby Bolig;1",
                                               "Vestparken;1;60;alle;9999;Testby;vestparken;Testby Bolig;3"])


HAERVAERK_REPORTS = {2017: (27, 23), 2018: (25, 19), 2019: (20, 18)}  # Nordbyen, Vestparken


def _deliver(mail: Path) -> None:
    """The police's yearly vandalism files (cp1252, as the police send them) and the website statistics, saved
    from e-mails under the names they were sent with."""
    mail.mkdir(parents=True, exist_ok=True)
    for year, (north, west) in HAERVAERK_REPORTS.items():
        (mail / f"Hærværk {year} (endelig).csv").write_bytes(
            f"År;Område;Anmeldelser af hærværk\n{year};Nordbyen;{north}\n{year};Vestparken;{west}\n".encode("cp1252"))
    for year, visitors in ((2018, 2100), (2019, 2400)):
        (mail / f"Besøgende på hjemmesiden {year}.csv").write_text(
            f"År;Område;Indikator;Værdi;Tæller;Nævner;Kilde\n{year};Samlet;unikke_besoegende;{visitors};;;Web\n",
            encoding="utf-8")


@pytest.mark.slow
@pytest.mark.e2e
def test_a_new_programme_from_an_empty_folder_to_its_warehouse(tmp_path: Path) -> None:
    programmes = tmp_path / "programmes.toml"
    made = run_kpi("programme", "new", "testby", "--name", "Helhedsplan Testby", "--dir", str(tmp_path / "testby"),
                   "--programmes", str(programmes))
    assert made.returncode == 0, made.stdout + made.stderr
    folder = tmp_path / "testby"
    _fill_catalog(folder / "katalog.xlsx")
    checked = run_kpi("catalog", "check", str(folder / "katalog.xlsx"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 fejl" in checked.stdout
    imported = run_kpi("catalog", "import", str(folder / "katalog.xlsx"), "--out", str(folder / "reference"))
    assert imported.returncode == 0, imported.stdout + imported.stderr
    _fill_reference(folder / "reference")
    _deliver(folder / "mail")
    received = run_kpi("receive", str(folder / "mail"), "--sources", str(folder), "--delivered", "2026-11-01")
    assert received.returncode == 0, received.stdout + received.stderr
    filed = sorted(p.name for p in (folder / "inbox").rglob("*.csv"))
    assert filed == [*(f"police_haervaerk_{year}_20261101.csv" for year in HAERVAERK_REPORTS),
                     *(f"web_analytics_{year}_20261101.csv" for year in (2018, 2019))]
    nightly = run_kpi("nightly", "--programmes", str(programmes), "--as-of", AS_OF)
    assert nightly.returncode == 0, nightly.stdout + nightly.stderr
    report = (tmp_path / "warehouses" / "testby" / "reports" / "kpi_rapport.html").read_text(encoding="utf-8")
    for own in ("Helhedsplan Testby", "Nordbyen", "Vestparken", "Hærværk falder 15 % om året i hvert område."):
        assert own in report, own  # the programme's own name, areas and criteria head and fill its report
    assert "Motalavej" not in report and "Slagelse" not in report
    with duckdb.connect(str(tmp_path / "warehouses" / "testby" / "testby.duckdb"), read_only=True) as con:
        criteria = {c for (c,) in con.execute("select criterion_id from criteria").fetchall()}
        assert criteria == {"testby_haervaerk_minus_15", "testby_haervaerk_samlet", "testby_besoegende"}
        areas = dict(con.execute("select area_key, name_da from areas").fetchall())
        assert areas == {"nordbyen": "Nordbyen", "vestparken": "Vestparken"}
        value = con.execute("select value from kpi_status where criterion_id = 'testby_haervaerk_minus_15' "
                            "and area_key = 'nordbyen' and period = '2018'").fetchone()
        assert value == (25.0,)  # police_haervaerk_2018: Nordbyen 25
        combined = con.execute("select value from kpi_status where criterion_id = 'testby_haervaerk_samlet' "
                               "and area_key = 'combined' and period = '2018'").fetchone()
        assert combined == (44.0,)  # 25 + 19, pooled (the default reading for counts)
