"""`kpi receive`: every sample delivery, renamed as a mail attachment, is filed under its own system and period;
what fits two systems, none, or has no readable period changes nothing and says why in Danish."""

from __future__ import annotations

import csv
import io
import random
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.delivery.discover import inbox_files
from pipelines.delivery.errors import DeliveryRejected
from pipelines.delivery.filenames import parse_file_name, periods_of_token
from pipelines.parse import registry
from pipelines.receive.filing import Outcome, receive_file
from pipelines.receive.forms import all_forms
from pipelines.receive.periods import from_extract, from_titles
from tests.conftest import REFERENCE_DIR

SAMPLE_INBOX = Path(__file__).parents[1] / "sources" / "sample" / "inbox"
CATALOG = REFERENCE_DIR / "criteria.yaml"
FORMS = all_forms(CATALOG)
DELIVERED = date(2026, 12, 1)
MAIL_NAMES = ("Hærværk 2021 (endelig)", "Kopi af udtræk", "Re_ VS_ tal til bestyrelsen", "data", "Bilag 3 - rettet")
CONTRACT = re.compile(r"^(?P<stem>.+)_(?P<period>[^_]+)_(?P<date>\d{8})\.(?P<ext>\w+)$")
SAMPLE_FOLDERS = sorted(p.name for p in SAMPLE_INBOX.iterdir() if p.is_dir())


def contract_parts(name: str) -> tuple[str, str]:
    match = CONTRACT.match(name)
    assert match, name
    return match["stem"], match["period"]


def receive(path: Path, sources: Path, **options) -> object:
    return receive_file(path, sources / "inbox", CATALOG, delivered=DELIVERED, forms=FORMS, **options)


def text_of(receipt) -> str:
    return "\n".join(receipt.lines_da())


@pytest.mark.parametrize("folder", SAMPLE_FOLDERS)
def test_every_sample_delivery_renamed_as_an_attachment_is_filed_under_its_system_and_period(tmp_path, folder):
    for index, (_, original) in enumerate(f for f in inbox_files(SAMPLE_INBOX) if f[0] == folder):
        attachment = tmp_path / "mail" / f"{MAIL_NAMES[index % len(MAIL_NAMES)]}{original.suffix}"
        attachment.parent.mkdir(exist_ok=True)
        shutil.copyfile(original, attachment)
        receipt = receive(attachment, tmp_path / f"sources{index}")
        assert receipt.outcome is Outcome.FILED, text_of(receipt)
        assert contract_parts(receipt.target.name) == contract_parts(original.name), text_of(receipt)
        assert receipt.target.name.endswith(f"_{DELIVERED:%Y%m%d}{original.suffix}")
        assert receipt.target.read_bytes() == original.read_bytes()
        assert attachment.read_bytes() == original.read_bytes()  # the original is untouched


def test_filing_twice_copies_nothing_and_never_overwrites(tmp_path):
    original = SAMPLE_INBOX / "police_haervaerk" / "police_haervaerk_2017_20180214.csv"
    attachment = tmp_path / "Hærværk 2017 (endelig).csv"
    shutil.copyfile(original, attachment)
    first = receive(attachment, tmp_path)
    assert first.outcome is Outcome.FILED
    again = receive(attachment, tmp_path)
    assert again.outcome is Outcome.ALREADY_THERE
    assert "samme indhold ligger allerede i indbakken som police_haervaerk_2017_20261201.csv" in text_of(again)
    corrected = tmp_path / "Hærværk 2017 (rettet).csv"
    corrected.write_bytes(original.read_bytes().replace(b"2017;Motalavej;", b"2017;Motalavej;1"))
    clash = receive(corrected, tmp_path)
    assert clash.outcome is Outcome.WAITING
    assert "overskrives ikke" in clash.problem and "--delivered" in clash.hint
    assert first.target.read_bytes() == original.read_bytes()
    assert len(list(first.target.parent.iterdir())) == 1


def test_a_dry_run_only_reports(tmp_path):
    attachment = tmp_path / "Kopi af udtræk.csv"
    shutil.copyfile(SAMPLE_INBOX / "web_analytics" / "web_analytics_2018_20190115.csv", attachment)
    receipt = receive(attachment, tmp_path / "sources", dry_run=True)
    assert receipt.outcome is Outcome.WOULD_FILE
    assert receipt.target.name == "web_analytics_2018_20261201.csv"
    assert "prøvekørsel" in text_of(receipt)
    assert not (tmp_path / "sources").exists()


def test_a_header_that_fits_several_systems_changes_nothing_and_names_them(tmp_path):
    attachment = tmp_path / "Indikatorer.csv"
    attachment.write_text("År;Område;Indikator;Værdi\n2019;Motalavej;ny_indikator;12\n", encoding="utf-8")
    receipt = receive(attachment, tmp_path / "sources")
    assert receipt.outcome is Outcome.WAITING
    assert receipt.problem.startswith("flere kilder passer lige godt: ")
    assert {"police_crime_statistics", "web_analytics", "media_monitoring"} <= set(receipt.considered)
    assert "--system" in receipt.hint
    assert "År;Område;Indikator;Værdi" in text_of(receipt)
    assert not (tmp_path / "sources").exists()
    settled = receive(attachment, tmp_path / "sources", system="media_monitoring")
    assert settled.outcome is Outcome.FILED
    assert settled.target.name == "media_monitoring_2019_20261201.csv"


def test_an_unknown_file_changes_nothing_and_shows_what_was_seen_with_cpr_masked(tmp_path):
    attachment = tmp_path / "Kopi af 010187-1467.csv"
    attachment.write_text("Navn;Telefon\nJens;12345678\n", encoding="utf-8")
    receipt = receive(attachment, tmp_path / "sources")
    text = text_of(receipt)
    assert receipt.outcome is Outcome.WAITING
    assert "ingen kilde passer på indholdet" in text
    assert "overvejede kilder: baselines, bl_tables" in text
    assert "fandt disse første rækker: Navn;Telefon" in text
    assert "Kopi af <CPR skjult>.csv" in text and "010187" not in text
    assert not (tmp_path / "sources").exists()


def test_a_period_that_the_content_does_not_state_is_not_guessed_from_the_name(tmp_path):
    attachment = tmp_path / "Brand 2014.csv"  # header only, no title row: only the name says 2014
    attachment.write_text("Hændelsesnr;Alarmtidspunkt;Adresse;Postnr;By;Hændelsestype;Brandårsag\n", encoding="utf-8")
    receipt = receive(attachment, tmp_path / "sources")
    assert receipt.outcome is Outcome.WAITING
    assert receipt.problem.startswith("perioden kan ikke læses af indholdet")
    assert "--period" in receipt.hint
    assert not (tmp_path / "sources").exists()
    settled = receive(attachment, tmp_path / "sources", period="2014")
    assert settled.target.name == "brand_redning_2014_20261201.csv"


def test_a_title_row_states_the_period():
    assert from_titles(["Registrering 2018 kvartal 1"])[0] == "2018Q1"
    assert from_titles(["1. kvartal 2018"])[0] == "2018Q1"
    assert from_titles(["Kvartal: 2018Q2"])[0] == "2018Q2"
    assert from_titles(["Tabel 2018K3"])[0] == "2018Q3"
    assert from_titles(["Skoleåret 2018/19"])[0] == "2018-19"
    assert from_titles(["Politiets Tryghedsindeks 2016", "Måleår: 2016"])[0] == "2016"
    assert from_titles(["Nøgletal 2016 for året 2015"]) == (None, ["2016", "2015"])
    assert from_titles(["Skabelon: x_2021_20220115.xlsx"]) == (None, [])


def test_a_person_level_extract_is_labelled_with_the_years_its_rows_must_cover():
    # periods overlapping the extract's years: begun before them, or still open, they say nothing of its ends
    assert from_extract(["01-03-2014", "05-05-2025"], ["31-01-2016", ""]) == "2016-2025"
    assert from_extract(["01-03-2014"], [""]) == "2014"


def test_a_later_full_extract_still_replaces_the_earlier_one(tmp_path):
    """The ledger supersedes a file whose years a later delivery covers (warehouse/load.py _settle_chain): a later
    extract of the same system with one period more is labelled with years that cover the earlier label."""
    original = SAMPLE_INBOX / "kmd_opera" / "kmd_opera_2016-2025_20260115.csv"
    later = tmp_path / "KMD udtræk marts.csv"
    later.write_bytes(original.read_bytes()
                      + "010187-1467;Parkvej;20;4230;YDELSE;Kontanthjælp;02-03-2026;;\r\n".encode("cp1252"))
    earlier = receive(original, tmp_path / "a")
    newer = receive(later, tmp_path / "b")
    assert contract_parts(earlier.target.name)[1] == "2016-2025"
    assert contract_parts(newer.target.name)[1] == "2016-2026"
    old, new = (periods_of_token(contract_parts(r.target.name)[1]) for r in (earlier, newer))
    assert new[0].start <= old[0].start and new[-1].end >= old[-1].end


@pytest.mark.parametrize(("sample", "wrong_system", "period"), [
    ("police_haervaerk/police_haervaerk_2017_20180214.csv", "police_crime_statistics", "2017"),
    ("media_monitoring/media_monitoring_2019_20200215.csv", "web_analytics", None),
])
def test_a_file_filed_under_the_wrong_system_is_rejected_by_that_systems_parser(tmp_path, parse_context, sample,
                                                                                wrong_system, period):
    attachment = tmp_path / "Kopi af udtræk.csv"
    shutil.copyfile(SAMPLE_INBOX / sample, attachment)
    receipt = receive(attachment, tmp_path / "sources", system=wrong_system, period=period)
    assert receipt.outcome is Outcome.FILED, text_of(receipt)
    parser = registry()[wrong_system]
    name = parse_file_name(receipt.target, wrong_system, extensions=parser.extensions, file_types=parser.file_types)
    with pytest.raises(DeliveryRejected):
        parser.parse(receipt.target, name, parse_context)


def test_a_template_workbook_is_received_from_any_name(tmp_path):
    from pipelines.supplier_templates.generate import write_templates

    written = write_templates(CATALOG, "2025Q1", tmp_path / "templates", date(2025, 4, 2))
    workbook = next(p for p in written if p.parent.name == "own_registrations")
    attachment = tmp_path / "Registreringer (udfyldt).xlsx"
    shutil.copyfile(workbook, attachment)
    receipt = receive(attachment, tmp_path / "sources")
    assert receipt.target.name == "own_registrations_2025Q1_20261201.xlsx", text_of(receipt)
    assert "skabelonens felt" in text_of(receipt)


def test_the_command_prints_its_decision_in_danish_and_exits_non_zero_when_a_file_waits(tmp_path):
    mail = tmp_path / "mail"  # a folder stands for the files in it
    mail.mkdir()
    shutil.copyfile(SAMPLE_INBOX / "police_haervaerk" / "police_haervaerk_2017_20180214.csv",
                    mail / "Hærværk 2017 (endelig).csv")
    (mail / "noter.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    (mail / "~$noter.csv").write_text("a lock file", encoding="utf-8")
    result = CliRunner().invoke(app, ["receive", str(mail), "--sources", str(tmp_path / "src"),
                                      "--delivered", "2026-12-01"], env={"COLUMNS": "200"})
    assert result.exit_code == 4, result.output
    assert "Hærværk 2017 (endelig).csv → inbox/police_haervaerk/police_haervaerk_2017_20261201.csv" in result.output
    assert "perioden 2017 er læst i kolonnen År" in result.output
    assert "noter.csv: ikke modtaget: ingen kilde passer" in result.output
    assert "Traceback" not in result.output and "~$" not in result.output
    assert (tmp_path / "src" / "inbox" / "police_haervaerk" / "police_haervaerk_2017_20261201.csv").is_file()


# --- the property: rows shuffled, blank and note rows added, the file renamed at random ---------------------

PROPERTY_SAMPLES = (
    "police_haervaerk/police_haervaerk_2018_20190214.csv",
    "media_monitoring/media_monitoring_2019_20200215.csv",
    "police_crime_statistics/police_crime_statistics_2019_20200310.csv",
    "lbf_central/lbf_central_2019_20200115.csv",
    "fraflytning_admin/fraflytning_admin_2019_20200120.csv",
    "uu_registration/uu_registration_2019_20200120.csv",
    "school_absence/school_absence_dropout_2019Q2_20190715.csv",
    "school_readiness/school_readiness_2019-20_20200301.csv",
)
FILE_NAMES = st.text(alphabet=st.characters(whitelist_categories=("L", "N"), whitelist_characters=" -_()æøåÆØÅ"),
                     min_size=1, max_size=30).map(str.strip).filter(bool)


def _decoded(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _messed_up_csv(path: Path, seed: int, blanks: int, notes: int) -> str:
    rows = list(csv.reader(io.StringIO(_decoded(path)), delimiter=";"))
    header_at = next(i for i, row in enumerate(rows) if len([c for c in row if c]) >= 3)
    data = [row for row in rows[header_at + 1:] if any(row)]
    random.Random(seed).shuffle(data)
    for index in range(blanks):
        data.insert(random.Random(seed + index).randrange(len(data) + 1), [])
    note_rows = [[f"Anm.: note nummer {n} om opgørelsen"] for n in range(notes)]
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows([*rows[:header_at + 1], *data, *note_rows])
    return out.getvalue()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sample=st.sampled_from(PROPERTY_SAMPLES), seed=st.integers(0, 10_000), blanks=st.integers(0, 3),
       notes=st.integers(0, 2), name=FILE_NAMES)
def test_identification_ignores_row_order_blank_and_note_rows_and_the_name(tmp_path_factory, sample, seed, blanks,
                                                                          notes, name):
    tmp_path = tmp_path_factory.mktemp("messed")
    original = SAMPLE_INBOX / sample
    attachment = tmp_path / f"{name}.csv"
    attachment.write_text(_messed_up_csv(original, seed, blanks, notes), encoding="utf-8")
    receipt = receive(attachment, tmp_path / "sources", dry_run=True)
    assert receipt.outcome is Outcome.WOULD_FILE, text_of(receipt)
    assert contract_parts(receipt.target.name) == contract_parts(original.name)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), blanks=st.integers(0, 2), name=FILE_NAMES)
def test_a_workbook_is_identified_whatever_its_row_order_and_name(tmp_path_factory, seed, blanks, name):
    from openpyxl import load_workbook

    tmp_path = tmp_path_factory.mktemp("messed")
    original = SAMPLE_INBOX / "police_tryghedsindeks" / "police_tryghedsindeks_2016_20170520.xlsx"
    workbook = load_workbook(original)
    sheet = workbook["Resultater"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header_at = next(i for i, r in enumerate(rows) if r[0] == "Område")
    data = rows[header_at + 1:]
    random.Random(seed).shuffle(data)
    data = [*([[None] * len(rows[0])] * blanks), *data, ["Kilde: Rigspolitiet", None, None, None]]
    sheet.delete_rows(header_at + 2, sheet.max_row)
    for row in data:
        sheet.append(row)
    attachment = tmp_path / f"{name}.xlsx"
    workbook.save(attachment)
    receipt = receive(attachment, tmp_path / "sources", dry_run=True)
    assert receipt.outcome is Outcome.WOULD_FILE, text_of(receipt)
    assert contract_parts(receipt.target.name) == ("police_tryghedsindeks", "2016")


def test_a_file_waiting_in_the_drop_folder_makes_the_run_need_attention(tmp_path):
    from datetime import datetime

    from pipelines.operate.alerts import RunSummary
    from pipelines.receive.drop_folder import receive_drop_folder

    drop = tmp_path / "modtaget"
    drop.mkdir()
    shutil.copyfile(SAMPLE_INBOX / "web_analytics" / "web_analytics_2018_20190115.csv", drop / "Besøgende 2018.csv")
    (drop / "Kopi af 010187-1467.csv").write_text("Navn;Telefon\nJens;1\n", encoding="utf-8")
    received = receive_drop_folder(tmp_path, tmp_path / "inbox", CATALOG, today=DELIVERED)
    assert [r.target.name for r in received.filed] == ["web_analytics_2018_20261201.csv"]
    assert (drop / "behandlet" / "2026-12-01" / "Besøgende 2018.csv").is_file()
    assert sorted(p.name for p in drop.iterdir()) == ["Kopi af 010187-1467.csv", "behandlet"]
    summary = RunSummary(tmp_path, "published", datetime(2026, 12, 1, 3), 1, 0, waiting=received.waiting_da())
    assert summary.needs_attention
    assert summary.subject_da() == "kpi-warehouse: 1 fil(er) venter i modtaget/; natkørslen er publiceret"
    markdown = summary.markdown_da()
    assert "## Filer der venter i modtaget/" in markdown
    assert "- Venter i modtaget/: Kopi af <CPR skjult>.csv: ingen kilde passer på indholdet" in markdown
    assert "010187" not in markdown
