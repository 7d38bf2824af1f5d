"""Person-level measures end to end on a small crafted inbox: one `kpi nightly`, hand-computed values.

Every figure below is computed by hand from the rows written here (source_formats.md sections 8-13, 16).
The inbox is small, so the published file hides every value (fewer than 5 persons, contract rule 8): the
values are read from the internal warehouse, and the published file is checked to show `suppressed`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.conftest import AS_OF, run_kpi

# Addresses inside the four areas (sources/reference/area_addresses.csv) and one outside (Motalavej 500).
MOTALAVEJ, RINGPARKEN, SYDBYEN, SKAELSKOER, OUTSIDE = (
    ("Motalavej", "10", "4200"), ("Ringparken", "5", "4200"), ("Sydbyvej", "11", "4220"),
    ("Parkvej", "3", "4230"), ("Motalavej", "500", "4200"))

KMD_OPERA = [
    # A: three periods, overlapping then adjacent → one spell 1.1.-30.6.2018 (181 days), selvforsørgelse (job)
    ("010190-1111", MOTALAVEJ, "YDELSE", "Kontanthjælp", "01-01-2018", "31-03-2018", ""),
    ("010190-1111", MOTALAVEJ, "YDELSE", "A-dagpenge", "15-03-2018", "31-05-2018", ""),
    ("010190-1111", MOTALAVEJ, "YDELSE", "Sygedagpenge", "01-06-2018", "30-06-2018", "Selvforsørgelse - job"),
    ("010190-1111", MOTALAVEJ, "TILBUD", "Virksomhedspraktik", "01-07-2018", "31-07-2018", ""),
    # B: selvforsørgelse followed the next day by another benefit → one spell 1.2.-31.5. (120 days), no exit
    ("020290-2222", RINGPARKEN, "YDELSE", "Kontanthjælp", "01-02-2018", "01-03-2018", "Selvforsørgelse - uddannelse"),
    ("020290-2222", RINGPARKEN, "YDELSE", "Uddannelseshjælp", "02-03-2018", "31-05-2018", "Andet"),
    # C: open since 1.1.2018 → a recipient, but no ended spell
    ("030390-3333", SYDBYEN, "YDELSE", "Kontanthjælp", "01-01-2018", "", ""),
    # D: 30 days ending with selvforsørgelse, then løntilskud
    ("040490-4444", SKAELSKOER, "YDELSE", "A-dagpenge", "01-09-2018", "30-09-2018", "Selvforsørgelse - job"),
    ("040490-4444", SKAELSKOER, "TILBUD", "Løntilskud privat", "01-10-2018", "31-12-2018", ""),
    # E lives outside the areas: dropped at ingestion
    ("050590-1555", OUTSIDE, "YDELSE", "Kontanthjælp", "01-01-2018", "31-01-2018", "Selvforsørgelse - job"),
]
UU_REGISTRATION = [  # (CPR, address, status): A and H are in education; G is 17 at 31.12.2018
    ("010190-1111", MOTALAVEJ, "I uddannelse"), ("050599-1556", RINGPARKEN, "Ikke i uddannelse"),
    ("060601-6666", SYDBYEN, "I uddannelse"), ("070700-7777", SKAELSKOER, "I uddannelse"),
]
PUPILS = {  # pupil → (CPR, address, school days, sick, lawful, unlawful)
    "P1": ("010108-4111", MOTALAVEJ, 200, "7,5", "2,5", "2,5"),
    "P2": ("020208-4222", RINGPARKEN, 190, "10", "0", "0"),
    "P3": ("030308-4333", SYDBYEN, 180, "0", "0", "9"),
    "P4": ("040408-4444", SKAELSKOER, 200, "4", "4", "4"),
}
NOVAX = [  # 2018 cohort: K1 and K2 at Motalavej, K3 in Ringparken
    ("1201184111", "12.01.2018", MOTALAVEJ, "Ekstra behovsbesøg 6 mdr", "03.07.2018", "Gennemført"),
    ("1201184111", "12.01.2018", MOTALAVEJ, "Ekstra behovsbesøg 18 mdr", "10.07.2019", "Gennemført"),
    ("0503184222", "05.03.2018", MOTALAVEJ, "Ekstra behovsbesøg 6 mdr", "05.09.2018", "Aflyst"),
    ("0106184333", "01.06.2018", RINGPARKEN, "Ekstra behovsbesøg 6 mdr", "01.12.2018", "Gennemført"),
    ("0106184333", "01.06.2018", RINGPARKEN, "3-års besøg", "10.06.2020", "Gennemført"),
]
QUESTIONNAIRE = [  # R1 improves (2,33 → 3,67), R2 stays (3 → 3): 50 % positive in Ringparken 2018
    ("MG-RP-2018-1", "Ringparken", "R1", "før", "05-02-2018", "2;3;2"),
    ("MG-RP-2018-1", "Ringparken", "R1", "efter", "30-05-2018", "4;3;4"),
    ("MG-RP-2018-1", "Ringparken", "R2", "før", "05-02-2018", "3;3;3"),
    ("MG-RP-2018-1", "Ringparken", "R2", "efter", "30-05-2018", "3;3;3"),
    ("MG-MV-2018-1", "Motalavej", "R3", "før", "06-02-2018", "2;2;2"),
    ("MG-MV-2018-1", "Motalavej", "R3", "efter", "31-05-2018", "3;3;3"),
]


def _write(path: Path, lines: list[str], encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding=encoding)


def write_inbox(inbox: Path) -> None:
    _write(inbox / "kmd_opera" / "kmd_opera_2018-2019_20200115.csv",
           ["CPR;Vejnavn;Husnr;Postnr;Posttype;Kode;Startdato;Slutdato;Afgangsårsag"]
           + [";".join((cpr, *address, *rest)) for cpr, address, *rest in KMD_OPERA], encoding="cp1252")
    _write(inbox / "uu_registration" / "uu_registration_2018_20190120.csv",
           ["CPR;Vejnavn;Husnr;Postnr;Statusdato;Status;Uddannelse"]
           + [";".join((cpr, *address, "31-12-2018", status, "")) for cpr, address, status in UU_REGISTRATION])
    _write(inbox / "school_absence" / "school_absence_2018-19_20190815.csv",
           ["\ufeffSkoleår;Elev_CPR;Skole;Klassetrin;Vejnavn;Husnr;Postnr;Skoledage;Fravær sygdom;Fravær lovligt;"
            "Fravær ulovligt"]
           + [";".join(("2018/19", cpr, "Vestre Skole", "8", *address, str(days), *absence))
              for cpr, address, days, *absence in PUPILS.values()])
    dropout_lists = (("2017Q4", "20180115", ("P1", "P2", "P3", "P4")), ("2018Q1", "20180415", ("P1",)))
    for quarter, delivered, pupils in dropout_lists:
        _write(inbox / "school_absence" / f"school_absence_dropout_{quarter}_{delivered}.csv",
               ["Kvartal;Elev_CPR;Vejnavn;Husnr;Postnr;Skole;Fraværsprocent"]
               + [";".join((quarter, PUPILS[p][0], *PUPILS[p][1], "Vestre Skole", "15,3")) for p in pupils])
    readiness = [("P1", "9", "01-12-2018", "Ikke uddannelsesparat"), ("P1", "9", "01-05-2019", "Uddannelsesparat"),
                 ("P2", "9", "01-12-2018", "Uddannelsesparat"), ("P3", "8", "01-12-2018", "Ikke uddannelsesparat"),
                 ("P4", "8", "01-12-2018", "Uddannelsesparat")]
    _write(inbox / "school_readiness" / "school_readiness_2018-19_20190701.csv",
           ["Skoleår;Elev_CPR;Klassetrin;Vejnavn;Husnr;Postnr;Vurderingsdato;Vurdering"]
           + [";".join(("2018/19", PUPILS[p][0], grade, *PUPILS[p][1], day, verdict))
              for p, grade, day, verdict in readiness])
    _write(inbox / "novax" / "novax_2018-2020_20210110.csv",
           ["\ufeffBarn_CPR;Fødselsdato;Vejnavn;Husnr;Postnr;Besøgstype;Besøgsdato;Status"]
           + [";".join((cpr, born, *address, *rest)) for cpr, born, address, *rest in NOVAX])
    _write(inbox / "questionnaire" / "questionnaire_2018_20190115.csv",
           ["Forløb_id;Område;Respondent_id;Runde;Dato;Q1;Q2;Q3"] + [";".join(row) for row in QUESTIONNAIRE])


@dataclass
class CraftedRun:
    warehouse: Path
    outcome: object

    def internal(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse.with_name("kpi.internal.duckdb")), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def published(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def evaluated(self, criterion_id: str, area_key: str, period: str) -> tuple:
        rows = self.internal(
            "select value, numerator, denominator, status, target_value, period_start, period_end"
            " from (select *, expected_value as target_value from intermediate.int_kpi__evaluated)"
            " where criterion_id = ? and area_key = ? and period = ?", [criterion_id, area_key, period])
        assert len(rows) == 1, (criterion_id, area_key, period, rows)
        return rows[0]


@pytest.fixture(scope="module")
def crafted(tmp_path_factory) -> CraftedRun:
    root = tmp_path_factory.mktemp("person_measures")
    write_inbox(root / "sources" / "inbox")
    warehouse = root / "warehouse" / "kpi.duckdb"
    done = run_kpi("nightly", "--sources", str(root / "sources"), "--warehouse", str(warehouse), "--as-of", AS_OF)
    assert done.returncode == 0, done.stdout + done.stderr
    return CraftedRun(warehouse, done)


def test_kmd_opera_spells_self_support_and_placements(crafted: CraftedRun) -> None:
    # spells ended in 2018: A 181 days (1.1.-30.6.), B 120 days (1.2.-31.5.), D 30 days; C is open
    value, numerator, denominator, *_ = crafted.evaluated("strat_ub_shorter_benefit_period", "combined", "2018")
    assert (numerator, denominator) == (181 + 120 + 30, 3) and value == pytest.approx(331 / 3)
    # selvforsørgelse: A and D; B's exit was followed by another benefit the next day; E lives outside
    assert crafted.evaluated("act_virk_self_support_per_year", "combined", "2018")[0] == 2
    assert crafted.evaluated("act_virk_self_support_per_year", "combined", "2018")[3] == "not_met"  # 2 < 60
    assert crafted.evaluated("act_virk_praktik_loentilskud_per_year", "combined", "2018")[0] == 2
    assert crafted.evaluated("strat_ub_fewer_benefit_recipients", "combined", "2018")[0] == 4  # A, B, C, D
    assert crafted.evaluated("strat_ub_fewer_benefit_recipients", "combined", "2019")[0] == 1  # C, still open
    # A, B, C, D are 28 at 31.12.2018: every recipient is 18-29
    assert crafted.evaluated("sub_ub_benefit_share_18_29", "motalavej", "2018")[:3] == (100, 1, 1)


def test_uu_youth_education_from_18_with_benefit_recipients(crafted: CraftedRun) -> None:
    # target group: UU-registered 18+ (A, 050599, H; G is 17) and benefit recipients 18-29 (A, B, C, D)
    # → A, 050599, H, B, C, D = 6; in education: A and H
    value, numerator, denominator, status, *_ = crafted.evaluated("strat_ub_youth_edu_enrolment_18plus",
                                                                  "combined", "2018")
    assert (numerator, denominator) == (2, 6) and value == pytest.approx(100 / 3)
    assert status == "missing_baseline"  # the 2017 baseline was not delivered
    assert crafted.evaluated("act_virk_formaal_youth_edu_enrolment_target_group", "combined", "2018")[0] == 1  # A


def test_school_absence_per_school_year_and_dropout_list_per_quarter(crafted: CraftedRun) -> None:
    value, numerator, denominator, _, _, start, end = crafted.evaluated("sub_ub_school_absence", "combined",
                                                                        "2018/19")
    assert (numerator, denominator) == (12.5 + 10 + 9 + 12, 200 + 190 + 180 + 200)
    assert value == pytest.approx(43.5 / 770 * 100)
    assert (str(start), str(end)) == ("2018-08-01", "2019-07-31")
    assert crafted.evaluated("sub_ub_school_absence", "motalavej", "2018/19")[0] == pytest.approx(6.25)
    # dropout list: 4 pupils on 2017Q4 (the baseline), 1 on 2018Q1: at most 70 % of 4 → on track before 2019Q4
    value, _, _, status, target, start, end = crafted.evaluated("act_brobyg_dropout_list_minus30", "combined",
                                                                "2018Q1")
    assert (value, status, target) == (1, "on_track", pytest.approx(2.8))
    assert (str(start), str(end)) == ("2018-01-01", "2018-03-31")
    assert crafted.evaluated("act_brobyg_dropout_list_minus30", "combined", "2017Q4")[0] == 4


def test_school_readiness_latest_assessment(crafted: CraftedRun) -> None:
    # P1 reassessed ready, P2 ready, P3 not, P4 ready → 3 of 4
    value, numerator, denominator, *_ = crafted.evaluated("strat_ub_education_ready_8_9", "combined", "2018/19")
    assert (value, numerator, denominator) == (75, 3, 4)


def test_novax_birth_cohort_shares(crafted: CraftedRun) -> None:
    # cohort 2018: K1, K2 (Motalavej), K3 (Ringparken); 6 months completed by K1 and K3 (K2's was cancelled)
    value, numerator, denominator, _, _, start, end = crafted.evaluated(
        "act_sundhedspleje_extra_visit_6m_share", "combined", "2018")
    assert (numerator, denominator) == (2, 3) and value == pytest.approx(200 / 3)
    assert (str(start), str(end)) == ("2018-01-01", "2018-12-31")
    assert crafted.evaluated("act_sundhedspleje_extra_visit_18m_share", "combined", "2018")[:3] == (
        pytest.approx(100 / 3), 1, 3)
    # cohort 2019 has no children: no value (not 0 %); the extract's newest cohort is 2018, so it is stale by now
    assert crafted.evaluated("act_sundhedspleje_extra_visit_6m_share", "combined", "2019")[0:4:3] == (None, "stale")
    assert crafted.evaluated("sub_ff_3yr_visit_20_families", "combined", "2020")[0] == 1


def test_questionnaire_mothers_development(crafted: CraftedRun) -> None:
    assert crafted.evaluated("act_moedregruppe_positive_development_share", "ringparken", "2018")[:3] == (50, 1, 2)
    # mean change in Ringparken: R1 +4/3, R2 0 → 2/3
    assert crafted.evaluated("strat_ff_mothers_competences", "ringparken", "2018")[0] == pytest.approx(2 / 3)
    assert crafted.evaluated("act_moedregruppe_courses_per_area_per_year", "motalavej", "2018")[0] == 1


def test_published_file_hides_the_small_cells_and_dates_every_period(crafted: CraftedRun) -> None:
    rows = crafted.published(
        "select status, value, period_start, period_end from kpi_status"
        " where criterion_id = 'sub_ub_school_absence' and area_key = 'combined' and period = '2018/19'")
    assert rows == [("suppressed", None, rows[0][2], rows[0][3])]
    assert (str(rows[0][2]), str(rows[0][3])) == ("2018-08-01", "2019-07-31")
    small = crafted.published(
        "select distinct indicator from measurements where not suppressed and ((unit = 'count' and value between 1"
        " and 4) or numerator between 1 and 4 or denominator between 1 and 4)")
    assert small == [("moedregruppe_forloeb",)]  # courses are groups, not persons (seed event_indicators)
    assert crafted.published("select count(*) from kpi_status where period_start is null or period_end is null") \
        == [(0,)]


@pytest.mark.parametrize(("criterion_id", "grain_text", "period_text"), [
    ("strat_ub_fewer_benefit_recipients", "Vurderes pr. kalenderår", "  2018: "),
    ("sub_ub_school_absence", "Vurderes pr. skoleår (1. august – 31. juli)", "  2018/19 (01-08-2018 – 31-07-2019): "),
    ("act_brobyg_dropout_list_minus30", "Vurderes pr. kvartal", "  2018Q1 (01-01-2018 – 31-03-2018): "),
    ("act_sundhedspleje_extra_visit_6m_share", "Vurderes pr. fødselsårgang", "  2018 (01-01-2018 – 31-12-2018): "),
])
def test_kpi_criteria_explains_each_grain_in_danish(crafted: CraftedRun, criterion_id, grain_text, period_text) -> None:
    from pipelines.report.explain import explain_criterion

    with duckdb.connect(str(crafted.warehouse), read_only=True) as con:
        text = explain_criterion(con, criterion_id)
    assert grain_text in text and period_text in text


def test_kpi_criteria_command_on_a_school_year(crafted: CraftedRun) -> None:
    done = run_kpi("criteria", "strat_ub_education_ready_8_9", "--warehouse", str(crafted.warehouse))
    assert done.returncode == 0, done.stdout + done.stderr
    text = " ".join(done.stdout.split())
    assert "Vurderes pr. skoleår" in text and "2016/17 (01-08-2016 – 31-07-2017)" in text
    assert "Værdien for skoleåret 2018/19 er diskretioneret: færre end 5 personer" in text
