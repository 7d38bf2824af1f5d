"""The seven section-15 sources (common `År;Område;Indikator;Værdi;Tæller;Nævner;Kilde` layout): samples,
reference figures, GX suites and every way a file can be wrong."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.delivery.errors import DeliveryRejected
from pipelines.delivery.filenames import parse_file_name
from pipelines.parse import registry
from pipelines.parse._indicator_table import IndicatorTableParser
from pipelines.parse.base import OBSERVATION_SCHEMA
from pipelines.sample import writers
from pipelines.settings import REPO_ROOT
from pipelines.validate.suites import load_suite_definition, validate_frame

SOURCES = ("event_attendance_estimate", "media_monitoring", "web_analytics", "vive_lbf_survey",
           "local_substance_survey", "misbrug_treatment_registry", "partnership_followup")
HEADER = "År;Område;Indikator;Værdi;Tæller;Nævner;Kilde"
FOUR_AREAS = {"motalavej", "ringparken", "sydbyen", "skaelskoer"}


def parse(path: Path, context, source: str | None = None):
    source = source or path.name.rsplit("_", 2)[0]
    parser = registry()[source]
    return parser.parse(path, parse_file_name(path, source, extensions=parser.extensions), context)


def write_csv(folder: Path, source: str, lines: list[str], *, year: str = "2017", encoding: str = "utf-8") -> Path:
    path = folder / f"{source}_{year}_20180215.csv"
    path.write_bytes("\n".join(lines).encode(encoding))
    return path


@pytest.fixture(scope="module")
def sample_files(tmp_path_factory) -> dict[str, list[Path]]:
    folder = tmp_path_factory.mktemp("indicator_tables")
    return {source: writers()[source](folder) for source in SOURCES}


@pytest.fixture(scope="module")
def sample_frames(sample_files) -> dict[str, pl.DataFrame]:
    from pipelines.flows.delivery_step import parse_context
    from tests.conftest import REFERENCE_DIR

    context = parse_context(REFERENCE_DIR)
    return {source: pl.concat([parse(path, context).frame for path in paths]) for source, paths in
            sample_files.items()}


def _values(frame: pl.DataFrame, indicator: str, area: str) -> dict[str, float]:
    rows = frame.filter((pl.col("indicator") == indicator) & (pl.col("area_key") == area))
    return dict(zip(rows["period"], rows["value"], strict=True))


def _pooled(frame: pl.DataFrame, indicator: str, period: str, areas: set[str]) -> float:
    rows = frame.filter((pl.col("indicator") == indicator) & (pl.col("period") == period)
                        & pl.col("area_key").is_in(sorted(areas)))
    assert rows.height == len(areas)
    return rows["numerator"].sum() / rows["denominator"].sum() * 100


# --- the samples and the documents' figures ----------------------------------------------------------------


def test_every_source_is_registered_with_suite_and_staging() -> None:
    for source in SOURCES:
        parser = registry()[source]
        assert isinstance(parser, IndicatorTableParser) and parser.aggregate
        suite = load_suite_definition(source)
        indicator_sets = [e["kwargs"]["value_set"] for e in suite["expectations"]
                          if e["kwargs"].get("column") == "indicator" and "value_set" in e["kwargs"]]
        assert indicator_sets == [list(parser.indicators)]
        staging = REPO_ROOT / "dbt_project" / "models" / "staging" / source
        sql = (staging / f"stg_{source}__observations.sql").read_text(encoding="utf-8")
        assert sql.strip() == f"{{{{ stage_observations('{source}') }}}}"
        assert (staging / f"_{source}__sources.yml").is_file()


def test_indicator_codes_match_readings() -> None:
    import yaml

    readings = yaml.safe_load((REPO_ROOT / "sources" / "reference" / "readings.yaml").read_text(encoding="utf-8"))
    used = {(r["indicator"]["source_system"], r["indicator"]["indicator"])
            for r in readings["readings"].values() if isinstance(r, dict) and "indicator" in r}
    for source, code in used:
        if source in SOURCES:
            assert code in registry()[source].indicators, (source, code)


def test_sample_reproduces_one_partnership_conference_a_year(sample_frames, reference_figures: dict) -> None:
    figure = next(f for f in reference_figures["figures"] if f["id"] == "ref_gov_partnership_conferences_per_year")
    conferences = _values(sample_frames["partnership_followup"], "aarskonference", "combined")
    assert set(conferences) == {"2017", "2018", "2019", "2020", "2021"}
    assert max(conferences.values()) == figure["value"]
    assert conferences["2020"] == 0  # cancelled in the corona year: the demo's not_met
    assert [y for y, n in conferences.items() if n == figure["value"]] == ["2017", "2018", "2019", "2021"]


def test_sample_reproduces_the_community_baseline_51_pct_2018(sample_frames) -> None:
    """criteria.yaml: sub2125_sm_community_belonging baseline 51 % (2018), pooled over the 2021-2025 areas."""
    frame = sample_frames["vive_lbf_survey"]
    assert _pooled(frame, "faellesskab_pct", "2018", {"motalavej", "ringparken", "sydbyen"}) == pytest.approx(51.0)
    assert frame.filter(pl.col("area_key") == "slagelse_kommune").height == 0  # '-' (opgøres ikke): no row


def test_sample_holds_the_spec_examples(sample_files, sample_frames) -> None:
    web_2019 = next(p for p in sample_files["web_analytics"] if "_2019_" in p.name)
    raw = web_2019.read_bytes()
    assert b"2019;Samlet;unikke_besoegende;11.200;;;Google Analytics" in raw
    assert "besøgende".encode("cp1252") in raw  # Windows-1252, not UTF-8
    assert _values(sample_frames["web_analytics"], "unikke_besoegende", "combined")["2019"] == 11200
    debut = sample_frames["local_substance_survey"].filter(
        (pl.col("indicator") == "hash_debut_pct") & (pl.col("area_key") == "combined"))
    assert debut.select("period", "value", "numerator", "denominator").row(0) == ("2017", 12.5, 23, 184)
    assert _pooled(sample_frames["local_substance_survey"], "hash_debut_pct", "2017", FOUR_AREAS) == 12.5


def test_stock_dates_keep_their_day_and_count_for_their_year(sample_frames) -> None:
    frame = sample_frames["misbrug_treatment_registry"].filter(pl.col("period") == "2017")
    assert frame.height == 4
    assert set(frame["period_start"].cast(pl.Utf8)) == set(frame["period_end"].cast(pl.Utf8)) == {"2017-10-01"}
    flows = sample_frames["media_monitoring"].filter(pl.col("period") == "2017")
    assert set(flows["period_start"].cast(pl.Utf8)) == {"2017-01-01"}


def test_total_and_note_rows_are_skipped(sample_frames) -> None:
    media = sample_frames["media_monitoring"]
    assert set(media["area_key"]) == FOUR_AREAS  # the supplier's 'I alt' rows are not loaded
    assert _values(media, "negative_omtaler", "motalavej")["2017"] == 16
    assert media["label"][0] == "Motalavej; Kilde: Infomedia: Sjællandske Slagelse, Slagelse Ugeavis, Korsør Avis"


@pytest.mark.parametrize("source", SOURCES)
def test_gx_suite_passes_on_every_sample_file(sample_files, parse_context, source: str) -> None:
    for path in sample_files[source]:
        parsed = parse(path, parse_context)
        assert not parsed.warnings
        name = parse_file_name(path, source, extensions=("csv",))
        validate_frame(parsed.frame, source, path.name, {"file_periods": [p.label for p in name.periods]})


def test_gx_suite_keeps_each_source_to_its_areas(tmp_path: Path, parse_context) -> None:
    path = write_csv(tmp_path, "web_analytics", [HEADER, "2017;Motalavej;unikke_besoegende;1.200;;;GA"])
    frame = parse(path, parse_context).frame
    with pytest.raises(DeliveryRejected, match="række 2, kolonne area_key: værdien 'motalavej'"):
        validate_frame(frame, "web_analytics", path.name, {"file_periods": ["2017"]})


def test_suites_are_valid_json_with_file_periods() -> None:
    for source in SOURCES:
        text = (REPO_ROOT / "expectations" / f"{source}.json").read_text(encoding="utf-8")
        assert '{"$PARAMETER": "file_periods"}' in json.dumps(json.loads(text), ensure_ascii=False)


# --- files that are messy but acceptable ---------------------------------------------------------------------


def test_messy_but_valid_file_is_accepted(tmp_path: Path, parse_context) -> None:
    lines = ["Hash blandt 15-25-årige;;", "", HEADER + ";", "2017-10-01; ringparken og schackenborgvænge ;"
             "hash_brug_pct;21,1 %;15;71;SSP;", "2017-10-01;Motalavej;HASH_BRUG_PCT;.;;;SSP", "",
             "2017-10-01;Sydbyen;hash_brug_pct;-;;;SSP", "2017-10-01;I alt;hash_brug_pct;20,0;30;150;", "Kilde: SSP"]
    path = write_csv(tmp_path, "local_substance_survey", lines, encoding="cp1252")
    frame = parse(path, parse_context).frame
    assert frame.select("area_key", "value", "numerator", "denominator", "suppressed").rows() == [
        ("ringparken", 21.1, 15.0, 71.0, False),
        ("motalavej", None, None, None, True),  # '.' suppressed; '-' (Sydbyen) gives no row
    ]


def test_shown_rounding_is_tolerated(tmp_path: Path, parse_context) -> None:
    """7/52 = 13,46 %: `13,5` and `13` round to it, `13,4` does not."""
    for value, accepted in (("13,5", True), ("13", True), ("13,46", True), ("13,4", False)):
        path = write_csv(tmp_path, "local_substance_survey", [HEADER, f"2017;Motalavej;hash_debut_pct;{value};7;52;"])
        if accepted:
            assert parse(path, parse_context).frame["value"].to_list() == [float(value.replace(",", "."))]
        else:
            with pytest.raises(DeliveryRejected, match=r"række 2, kolonne Værdi: Værdi 13,4 passer ikke.*13,46"):
                parse(path, parse_context)


def test_unknown_column_is_accepted_with_a_warning(tmp_path: Path, parse_context) -> None:
    path = write_csv(tmp_path, "media_monitoring",
                     ["År;Område;Indikator;Værdi;Bemærkning", "2017;Motalavej;negative_omtaler;4;ingen"])
    parsed = parse(path, parse_context)
    assert parsed.frame["value"].to_list() == [4.0]
    assert parsed.warnings == [f"{path.name}: ukendt kolonne 'Bemærkning' ignoreret"]


# --- files that are rejected ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "row", "expected"),
    [
        ("media_monitoring", "2017;Ringarken;negative_omtaler;4;;;",
         "række 2, kolonne Område: ukendt område 'Ringarken'"),
        ("media_monitoring", "2017;Motalavej;negative_omtaler;-3;;;", "række 2, kolonne Værdi: negativ værdi -3"),
        ("media_monitoring", "2017;Motalavej;negative_omtaler;mange;;;", "kolonne Værdi: 'mange' er ikke et tal"),
        ("media_monitoring", "2017;Motalavej;negative_omtaler;4,5;;;", "kolonne Værdi: '4,5' er ikke et helt tal"),
        ("media_monitoring", "2017;Motalavej;negative_omtaler;4;2;8;", "kolonne Tæller: '2' i Tæller for et antal"),
        ("media_monitoring", "2018;Motalavej;negative_omtaler;4;;;",
         "række 2, kolonne År: perioden 2018 ligger uden for filens periode 2017"),
        ("media_monitoring", "17;Motalavej;negative_omtaler;4;;;",
         "kolonne År: '17' er hverken et årstal eller en dato"),
        ("media_monitoring", "2017-10-01;Motalavej;negative_omtaler;4;;;",
         "kolonne År: datoen '2017-10-01' for negative_omtaler, der gælder hele året"),
        ("web_analytics", "2017-12-31;Samlet;unikke_besoegende;11.200;;;", "der gælder hele året"),
        ("media_monitoring", "2017;Motalavej;omtaler;4;;;",
         "kolonne Indikator: ukendt indikator 'omtaler'; forventet en af indikatorkoderne for media_monitoring: "
         "negative_omtaler, positive_historier"),
        ("misbrug_treatment_registry", "2018-10-01;Motalavej;foraeldre_u40_i_behandling;4;;;",
         "kolonne År: datoen 01-10-2018 ligger uden for filens periode 2017"),
        ("misbrug_treatment_registry", "2017-02-30;Motalavej;foraeldre_u40_i_behandling;4;;;",
         "'2017-02-30' er hverken et årstal eller en dato"),
        ("local_substance_survey", "2017-10-01;Motalavej;hash_debut_pct;12,5;;;",
         "kolonne Tæller: Tæller er tom; forventet et helt tal ≥ 0 i Tæller (påkrævet for andele)"),
        ("local_substance_survey", "2017;Motalavej;hash_debut_pct;12,5;2,5;20;",
         "kolonne Tæller: '2,5' er ikke et helt"),
        ("local_substance_survey", "2017;Motalavej;hash_debut_pct;0;0;0;", "kolonne Nævner: Nævner er 0"),
        ("local_substance_survey", "2017;Motalavej;hash_debut_pct;100;9;8;", "Tæller 9 er større end Nævner 8"),
        ("vive_lbf_survey", "2017;Motalavej;faellesskab_pct;120;;;", "kolonne Værdi: andelen 120 er over 100"),
        ("vive_lbf_survey", "2017;Motalavej;faellesskab_pct;50;40;100;", "Værdi 50 passer ikke med Tæller/Nævner"),
    ],
)
def test_bad_rows_are_rejected_naming_row_and_column(tmp_path: Path, parse_context, source, row, expected) -> None:
    with pytest.raises(DeliveryRejected) as caught:
        parse(write_csv(tmp_path, source, [HEADER, row]), parse_context)
    assert expected in caught.value.message


def test_unknown_area_lists_the_known_names(tmp_path: Path, parse_context) -> None:
    path = write_csv(tmp_path, "event_attendance_estimate", [HEADER, "2017;Ringarken;deltagere_anslaaet;300;;;"])
    with pytest.raises(DeliveryRejected) as caught:
        parse(path, parse_context)
    assert "Motalavej" in caught.value.message and "Samlet" in caught.value.message
    assert caught.value.gap_type == "unmapped_area"


def test_a_year_split_into_several_rows_is_rejected(tmp_path: Path, parse_context) -> None:
    lines = [HEADER, "2017;Samlet;unikke_besoegende;5.000;;;GA", "2017;Samlet;unikke_besoegende;6.000;;;GA"]
    with pytest.raises(DeliveryRejected, match=r"række 3, kolonne Indikator: .*står også i række 2"):
        parse(write_csv(tmp_path, "web_analytics", lines), parse_context)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "filen er tom (0 bytes)"),
        (HEADER.encode("utf-16"), "UTF-16"),
        (HEADER.encode() + b"\n", "ingen datarækker"),
        (b"\xc5r;Omr\xe5de;Indikator\n2017;Motalavej;negative_omtaler\n", "kolonnen Værdi mangler"),
        (b"Aar;Sted;Kode;Tal\n2017;Motalavej;negative_omtaler;4\n", "ingen overskriftsrække"),
    ],
)
def test_unreadable_or_incomplete_files_are_rejected(tmp_path: Path, parse_context, content, expected) -> None:
    path = tmp_path / "media_monitoring_2017_20180215.csv"
    path.write_bytes(content)
    with pytest.raises(DeliveryRejected) as caught:
        parse(path, parse_context)
    assert expected in caught.value.message


@pytest.mark.parametrize("where", ["2017;Motalavej;negative_omtaler;4;;;Sag 010194-7551",
                                   "2017;Motalavej 0101947551;negative_omtaler;4;;;"])
def test_cpr_numbers_reject_the_file_without_being_repeated(tmp_path: Path, parse_context, where: str) -> None:
    with pytest.raises(DeliveryRejected) as caught:
        parse(write_csv(tmp_path, "media_monitoring", [HEADER, where]), parse_context)
    assert "CPR" in caught.value.message
    assert "7551" not in caught.value.message and "010194" not in caught.value.message


# --- robustness ---------------------------------------------------------------------------------------------

printable = st.characters(min_codepoint=32, max_codepoint=0x24F, exclude_characters=";\"\r\n")
cells = st.one_of(st.text(alphabet=printable, max_size=10),
                  st.sampled_from(["2017", "2017-10-01", "2017-13-01", "Samlet", "Motalavej", "I alt", "Kilde: x",
                                   "hash_debut_pct", "hash_brug_pct", "12,5", "1.234", "11.200", ".", "..", "-", "0",
                                   "23", "184", "9" * 400, "1e5", "%", ""]))


@given(st.lists(st.lists(cells, min_size=1, max_size=8), max_size=6), st.sampled_from(["utf-8", "cp1252"]))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_parser_never_crashes_on_arbitrary_rows(tmp_path: Path, parse_context, rows, encoding) -> None:
    lines = [HEADER, *(";".join(r) for r in rows)]
    path = tmp_path / "local_substance_survey_2017_20180215.csv"
    path.write_bytes("\n".join(lines).encode(encoding, errors="replace"))
    _parses_or_rejects(path, parse_context)


@given(st.binary(max_size=60), st.integers(0, 400))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_parser_never_crashes_on_mutated_bytes(tmp_path: Path, parse_context, noise: bytes, at: int) -> None:
    good = ("Titel\n" + HEADER + "\n2017-10-01;Samlet;hash_debut_pct;12,5;23;184;Opgørelse SSP\n"
            "2017-10-01;Motalavej;hash_brug_pct;23,1;12;52;SSP\n").encode("cp1252")
    path = tmp_path / "local_substance_survey_2017_20180215.csv"
    path.write_bytes(good[:at] + noise + good[at:])
    _parses_or_rejects(path, parse_context)


def _parses_or_rejects(path: Path, context) -> None:
    try:
        frame = parse(path, context).frame
    except DeliveryRejected as rejection:
        assert rejection.message.startswith(path.name)
    else:
        assert frame.schema == pl.Schema(OBSERVATION_SCHEMA)
        assert set(frame["area_key"]) <= FOUR_AREAS | {"combined", "slagelse_kommune", "denmark", "sub_average"}
