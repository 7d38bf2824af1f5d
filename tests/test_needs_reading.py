"""Contract v3: figures no delivery can give are `needs_reading` (decided by what each source delivers), every gap
names who can close it, and a reading the board decides turns `needs_reading` into an evaluated status.

The demo checks read the shared published demo; the end-to-end reading runs one nightly on a copy with the board's
reading added to the programme's readings.yaml.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
import yaml

from pipelines.load.source_figures import (
    DEFAULT_VERDICT_SOURCE,
    INDEX,
    NEEDS_READING_DA,
    SHARES,
    VERDICTS,
    sources_frame,
)
from pipelines.parse import registry
from pipelines.source_names import SOURCE_NAMES_DA
from tests.conftest import AS_OF, REFERENCE_DIR, PublishedDemo, run_kpi

EVALUATED = {"met", "not_met", "on_track", "off_track"}
VERDICT_SOURCES = {"samarbejdsudvalg_evaluation", "qualitative_interviews", "lbf_central"}
POLICE_COMBINED = "strat_tt_delmaal_1_naboskab_tryghed"
DST_COMBINED = "vision_sub_crit_no_attachment_18_64"


def _calendar_suppliers() -> dict[str, str]:
    with (REFERENCE_DIR / "delivery_calendar.csv").open(encoding="utf-8") as handle:
        return {row["kildesystem"]: row["leverandoer"] for row in csv.DictReader(handle, delimiter=";")}


# --- what each source declares --------------------------------------------------------------------------------


def test_each_source_declares_what_it_delivers_per_area() -> None:
    frame = {row["source_system"]: row for row in sources_frame(registry()).to_dicts()}
    assert set(frame) == set(registry())
    kinds = {source: row["area_figures"] for source, row in frame.items()}
    assert kinds["dst_noegletal"] == SHARES
    assert kinds["police_tryghedsindeks"] == INDEX
    assert {s for s, k in kinds.items() if k == VERDICTS} == VERDICT_SOURCES
    assert kinds["sub_list_government"] == "counts"  # the ministry's 1/0 per area is summed, not a verdict
    assert kinds["bl_tables"] == kinds["fraflytning_admin"] == kinds["kmd_opera"] == "counts"
    # the reasons: combined for shares and an index, the mean of verdicts; nothing for counts
    assert frame["dst_noegletal"]["combined_needs_reading_da"] == NEEDS_READING_DA[SHARES]["combined"]
    assert "antal besvarelser" in frame["police_tryghedsindeks"]["combined_needs_reading_da"]
    assert frame["police_tryghedsindeks"]["combined_mean_needs_reading_da"] is None
    assert frame["lbf_central"]["combined_needs_reading_da"] is None
    assert "gennemsnit af vurderinger" in frame["lbf_central"]["combined_mean_needs_reading_da"]
    assert frame["bl_tables"]["combined_needs_reading_da"] is frame["bl_tables"]["combined_mean_needs_reading_da"] \
        is None


def test_every_source_has_a_danish_name_and_the_default_verdict_source_exists() -> None:
    assert set(registry()) <= set(SOURCE_NAMES_DA)
    assert all("_" not in name for name in SOURCE_NAMES_DA.values())
    assert DEFAULT_VERDICT_SOURCE in registry()
    assert DEFAULT_VERDICT_SOURCE in _calendar_suppliers()


def test_every_place_that_names_the_statuses_knows_the_new_one() -> None:
    import re

    from pipelines.gaps.supplier_list import GAP_TYPES_DA as SUPPLIER_GAP_TYPES_DA
    from pipelines.publish.contract_audit import GAP_TYPES, STATUSES
    from pipelines.report.html import STATUS_MEANING_DA
    from pipelines.report.vocabulary import GAP_TYPES_DA, STATUS_DA, STATUS_SYMBOL

    root = REFERENCE_DIR.parents[1]
    macro = (root / "dbt_project/macros/format_da.sql").read_text(encoding="utf-8")
    status_da = macro[macro.index("macro status_da"):]
    status_da = status_da[:status_da.index("endmacro")]
    # the SQL reads the words from the vocabulary seed, as the report does (tests/test_one_home.py)
    assert "ref('vocabulary')" in status_da and not re.findall(r"when '(\w+)' then '([^']+)'", status_da)
    assert set(STATUS_DA) == set(STATUS_SYMBOL) == set(STATUS_MEANING_DA) == STATUSES
    assert set(GAP_TYPES_DA) == set(SUPPLIER_GAP_TYPES_DA) == GAP_TYPES
    assert "needs_reading" in STATUSES and "needs_reading" in GAP_TYPES
    docs = root / "dbt_project/models/docs"
    assert all(f"| `{s}` |" in (docs / "statuses.md").read_text(encoding="utf-8") for s in STATUSES)
    assert all(f"| `{g}` |" in (docs / "gap_types.md").read_text(encoding="utf-8") for g in GAP_TYPES)
    for model in ("intermediate/evaluation/int_kpi__evaluated.yml", "marts/kpi_status.yml", "marts/data_gaps.yml"):
        assert "needs_reading" in (root / "dbt_project/models" / model).read_text(encoding="utf-8"), model


# --- the demo -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("criterion_id", "area_key", "source_system", "words"), [
    (POLICE_COMBINED, "combined", "police_tryghedsindeks", "indeks pr. område"),  # an index per area
    ("vision_sub_crit_no_attachment_18_64", "combined", "dst_noegletal", "kun andele"),  # shares only
    ("strat_lbf_central_measurements_followup", "combined_mean", "lbf_central", "gennemsnit af vurderinger"),
    ("vision_sub_crit_non_western", "combined_mean", DEFAULT_VERDICT_SOURCE, "gennemsnit af vurderinger"),
])
def test_a_figure_no_source_delivers_needs_a_reading_by_the_board(published_demo: PublishedDemo, criterion_id: str,
                                                                  area_key: str, source_system: str,
                                                                  words: str) -> None:
    statuses = published_demo.query("select distinct status from kpi_status where criterion_id = ? "
                                    "and area_key = ? and status != 'not_due'", [criterion_id, area_key])
    assert statuses == [("needs_reading",)]
    gaps = published_demo.query("select distinct source_system, supplier, due_date, gap_type from data_gaps "
                                "where criterion_id = ? and area_key = ?", [criterion_id, area_key])
    assert gaps == [(source_system, "Bestyrelsen", None, "needs_reading")]
    [(detail,)] = published_demo.query("select detail from data_gaps where criterion_id = ? and area_key = ? "
                                       "order by period limit 1", [criterion_id, area_key])
    assert "leveres ikke og kan ikke udledes" in detail and words in detail and "Bestyrelsen kan" in detail


def test_figures_a_delivery_can_give_never_need_a_reading(published_demo: PublishedDemo) -> None:
    # the areas of an index or shares source, combined_mean of anything measured, combined of counts: computed
    assert published_demo.query(
        "select distinct status from kpi_status where criterion_id = ? and area_key != 'combined' "
        "and status = 'needs_reading'", [POLICE_COMBINED]) == []
    # combined of a measured figure, combined_mean of a verdict: nothing else
    needing = {row for row in published_demo.query(
        "select distinct area_key, split_part(status_reason, ' ', 1) from kpi_status where status = 'needs_reading'")}
    assert needing == {("combined", "Tallet"), ("combined_mean", "Vurderingen")}
    counts_sources = published_demo.query(
        "select count(*) from data_gaps where gap_type = 'needs_reading' and source_system not in "
        "('police_tryghedsindeks', 'dst_noegletal', 'lbf_central', 'samarbejdsudvalg_evaluation', "
        "'qualitative_interviews')")
    assert counts_sources == [(0,)]


def test_a_missing_delivery_is_owed_by_a_supplier_who_can_deliver_it(published_demo: PublishedDemo) -> None:
    calendar = _calendar_suppliers()
    gaps = published_demo.query("select source_system, supplier, count(*) from data_gaps "
                                "where gap_type = 'missing_delivery' group by all")
    assert gaps, "the demo has missing deliveries"
    for source_system, supplier, _ in gaps:
        assert source_system in registry(), source_system  # a file of that source can be delivered
        assert supplier == calendar[source_system], source_system
    owed = {source for source, _, _ in gaps}
    # the ministry's list and DST's shares give no verdict and no pooled share: they owe none of these
    assert not owed & {"sub_list_government", "dst_noegletal"}


def test_a_missing_verdict_is_owed_by_whoever_delivers_verdicts(published_demo: PublishedDemo) -> None:
    verdicts = published_demo.query(
        "select distinct g.source_system, g.supplier from data_gaps g join kpi_status s using "
        "(criterion_id, area_key, period) where g.gap_type = 'missing_delivery' "
        "and s.status_reason like 'Ingen vurdering leveret%'")
    assert {source for source, _ in verdicts} <= VERDICT_SOURCES
    calendar = _calendar_suppliers()
    non_western = published_demo.query(
        "select distinct area_key, source_system, supplier from data_gaps "
        "where criterion_id = 'vision_sub_crit_non_western' and gap_type = 'missing_delivery' order by area_key")
    assert non_western == [(area, DEFAULT_VERDICT_SOURCE, calendar[DEFAULT_VERDICT_SOURCE])
                           for area in ("combined", "motalavej", "ringparken", "skaelskoer", "sydbyen")]
    # a criterion whose catalog source delivers verdicts keeps that source
    interviews = published_demo.query("select distinct source_system from data_gaps "
                                      "where criterion_id like 'act_vaerested_%' and gap_type = 'missing_delivery'")
    assert interviews == [("qualitative_interviews",)]


def test_the_report_shows_the_board_section_and_the_new_status(published_demo: PublishedDemo) -> None:
    html = (published_demo.warehouse.parent / "reports" / "kpi_rapport.html").read_text(encoding="utf-8")
    board = html[html.index("<h2>Kræver bestyrelsens beslutning</h2>"):html.index("<h2>Datamangler: hvem skal")]
    assert all(c in board for c in (POLICE_COMBINED, "vision_sub_crit_no_attachment_18_64",
                                    "strat_lbf_central_measurements_followup"))
    assert "Politiets tryghedsindeks" in board and "police_tryghedsindeks" not in board
    gaps = html[html.index("<h2>Datamangler: hvem skal"):html.index('<section id="metode"')]
    assert "Bestyrelsen" not in gaps and "Kræver bestyrelsens beslutning" not in gaps
    assert "police_tryghedsindeks" not in gaps and "Politiets tryghedsindeks" in gaps
    legend = html[html.index('<section class="legend">'):]
    assert "⚖" in legend and "Kræver læsning" in legend


# --- a reading the board decides ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def with_board_reading(published_demo: PublishedDemo, tmp_path_factory) -> PublishedDemo:
    """The demo after the board decided: combined tryghedsindeks = the areas weighted by respondents, and the
    combined share without attachment (DST) = the unweighted mean of the areas."""
    demo = published_demo.copy_to(tmp_path_factory.mktemp("reading") / "demo")
    reference = demo.sources / "reference"
    if not (reference / "criteria.yaml").is_file():
        shutil.copytree(REFERENCE_DIR, reference, dirs_exist_ok=True)
    readings_file: Path = reference / "readings.yaml"
    readings = yaml.safe_load(readings_file.read_text(encoding="utf-8"))
    readings["readings"][POLICE_COMBINED]["combine"] = "weighted_mean"
    readings["readings"][DST_COMBINED]["combine"] = "mean"
    readings_file.write_text(yaml.safe_dump(readings, allow_unicode=True, sort_keys=False), encoding="utf-8")
    demo.first = run_kpi("nightly", "--sources", str(demo.sources), "--warehouse", str(demo.warehouse),
                         "--as-of", AS_OF, "--no-report")
    assert demo.first.returncode == 0, demo.first.stdout + demo.first.stderr
    return demo


def test_a_reading_by_the_board_turns_needs_reading_into_an_evaluated_status(
        with_board_reading: PublishedDemo) -> None:
    rows = with_board_reading.query(
        "select period, value, status from kpi_status where criterion_id = ? and area_key = 'combined' "
        "and status != 'not_due' order by period", [POLICE_COMBINED])
    assert [period for period, _, _ in rows] == ["2017", "2018", "2019", "2020", "2021"]
    assert {status for _, _, status in rows} <= EVALUATED
    expected = dict(with_board_reading.query(
        "select period, round(sum(value * denominator) / sum(denominator), 6) from measurements "
        "where source_system = 'police_tryghedsindeks' and indicator = 'grundlaeggende_tryghed' "
        "and area_key in ('motalavej', 'ringparken', 'sydbyen', 'skaelskoer') group by period"))
    for period, value, _ in rows:
        assert round(value, 6) == expected[period], period
    assert with_board_reading.query("select count(*) from data_gaps where criterion_id = ?", [POLICE_COMBINED]) \
        == [(0,)]
    # the unweighted mean of DST's shares, as the board decided for this one criterion
    dst = with_board_reading.query(
        "select s.period, s.value, s.status, m.value from kpi_status s join kpi_status m using (criterion_id, period) "
        "where s.criterion_id = ? and s.area_key = 'combined' and m.area_key = 'combined_mean' "
        "and s.status != 'not_due' order by s.period", [DST_COMBINED])
    assert len(dst) == 8 and all(status in EVALUATED for _, _, status, _ in dst)
    assert all(value == mean for _, value, _, mean in dst)
    # the other figures still wait for the board
    waiting = with_board_reading.query("select distinct criterion_id from data_gaps where gap_type = 'needs_reading' "
                                       "and source_system = 'dst_noegletal'")
    assert waiting == [("vision_sub_crit_basic_education_30_64",)]
