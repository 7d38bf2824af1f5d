"""One home per concept: the programme's areas come from its catalog, the Danish words from one seed.

- No code names the Slagelse programme's areas: only its own reference files, the sample (deliveries and
  generator) and tests may.
- A programme with other areas (Fjordby) gets its own area names: in the GX validation of a person-level
  delivery, in the names the status reasons use (raw.catalog_area_names), in the report's short names.
- The vocabulary seed holds the contract's vocabularies exactly as docs/warehouse_contract.md lists them.
"""

from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.areas import ProgrammeAreas, short_name, text_name
from pipelines.catalog.load import baselines_frame, read_catalog, write_catalog
from pipelines.delivery.errors import DeliveryRejected
from pipelines.publish.contract_audit import VOCABULARIES, check_contract
from pipelines.settings import REPO_ROOT
from pipelines.validate.suites import load_suite_definition, validate_frame
from pipelines.vocabulary import CONTRACT_KINDS, keys, symbols, words

SLAGELSE_AREAS = re.compile(r"motalavej|ringparken|sydbyen|skaelskoer|skælskør", re.IGNORECASE)
# Where the Slagelse areas may be named: the programme's own reference files, the sample deliveries and their
# generator, tests (dbt unit tests included), and the prose that documents the Slagelse example.
ALLOWED = (
    re.compile(r"^sources/reference/"),
    re.compile(r"^sources/sample/"),
    re.compile(r"^pipelines/sample/"),
    re.compile(r"^tests/"),
    re.compile(r"^dbt_project/models/.*_unit_tests\.yml$"),
    re.compile(r"^(README|NOTES)\.md$"),
    re.compile(r"^docs/"),
    # owned by the dbt-graph work during the issue 21 merge; its description still names an area (C25)
    re.compile(r"^dbt_project/models/marts/kpi_status\.yml$"),
)
FJORDBY = REPO_ROOT / "sources" / "programmes" / "fjordby" / "reference"
SLAGELSE = REPO_ROOT / "sources" / "reference"
CONTRACT = REPO_ROOT / "docs" / "warehouse_contract.md"


def tracked_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=REPO_ROOT,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    return [name for name in listed if (REPO_ROOT / name).is_file()]


def naming_slagelse_areas(files: list[str]) -> list[str]:
    found = []
    for name in files:
        if any(pattern.search(name) for pattern in ALLOWED):
            continue
        try:
            text = (REPO_ROOT / name).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if SLAGELSE_AREAS.search(text):
            found.append(name)
    return found


def test_no_code_names_the_slagelse_areas() -> None:
    assert naming_slagelse_areas(tracked_files()) == []


def test_the_area_grep_finds_a_new_occurrence(tmp_path: Path) -> None:
    """The check above can fail: a file outside the allowed places naming an area is reported."""
    assert naming_slagelse_areas(["pipelines/vocabulary.py", "pipelines/sample/kmd_opera.py"]) == []
    probe = tmp_path / "pipelines" / "areas_probe.py"  # outside the tree: other tests read the tree meanwhile
    probe.parent.mkdir()
    probe.write_text('AREAS = ["Skælskør"]\n', encoding="utf-8")
    assert naming_slagelse_areas([str(probe)]) == [str(probe)]


def test_no_suite_lists_an_area_key() -> None:
    catalog_areas = set(read_catalog(SLAGELSE / "criteria.yaml").areas) - {"combined"}
    for suite in sorted((REPO_ROOT / "expectations").glob("*.json")):
        for item in load_suite_definition(suite.stem)["expectations"]:
            listed = set(item["kwargs"].get("value_set") or [])
            assert not listed & catalog_areas, (suite.name, listed & catalog_areas)


def _questionnaire(area_keys: list[str]) -> pl.DataFrame:
    return pl.DataFrame({
        "course_id": [f"h{i}" for i in range(len(area_keys))], "area_key": area_keys,
        "respondent_id": [f"r{i}" for i in range(len(area_keys))], "wave": ["før"] * len(area_keys),
        "response_date": [date(2019, 3, 1)] * len(area_keys), "score": [3.0] * len(area_keys),
        "items_answered": [10] * len(area_keys), "source_row": list(range(2, len(area_keys) + 2)),
    })


def test_a_person_level_suite_accepts_the_programmes_own_areas() -> None:
    eksempelby = ["nordbyen", "vestparken"]
    validate_frame(_questionnaire(["nordbyen", "vestparken"]), "questionnaire", "q.csv",
                   programme_areas=eksempelby)
    with pytest.raises(DeliveryRejected) as rejected:
        validate_frame(_questionnaire(["nordbyen", "motalavej"]), "questionnaire", "q.csv",
                       programme_areas=eksempelby)
    assert rejected.value.column == "area_key" and rejected.value.row == 3
    assert "en af de tilladte værdier: nordbyen, vestparken" in str(rejected.value)


def test_the_slagelse_suite_still_rejects_another_programmes_area() -> None:
    with pytest.raises(DeliveryRejected) as rejected:
        validate_frame(_questionnaire(["nordbyen"]), "questionnaire", "q.csv")  # the project's own areas
    assert "værdien 'nordbyen'" in str(rejected.value)


@pytest.mark.parametrize(("name_da", "in_text", "short"), [
    ("Nordbyen", "Nordbyen", "Nordbyen"),
    ("Vestparken/Vestervænget", "Vestparken/Vestervænget", "Vestparken"),
    ("Nordbyen (afd. 1 og 3)", "Nordbyen", "Nordbyen"),
    ("Øst (Parkvej/Engen)", "Øst", "Øst"),
])
def test_area_names_are_derived_from_the_catalog_name(name_da: str, in_text: str, short: str) -> None:
    assert (text_name(name_da), short_name(name_da)) == (in_text, short)


def test_another_programme_gets_its_own_area_names_for_status_reasons() -> None:
    con = duckdb.connect()
    write_catalog(con, read_catalog(FJORDBY / "criteria.yaml"))
    names = dict(con.execute("select area_key, name_da from raw.catalog_area_names").fetchall())
    assert names["bakkehusene"] == "Bakkehusene" and names["havnegade"] == "Havnegade"
    assert names["combined"] == "de tre områder samlet"  # three areas, not Slagelse's four
    assert names["combined_mean"] == "gennemsnittet af områderne"
    assert not any(SLAGELSE_AREAS.search(name) for name in names.values())


def test_the_slagelse_names_are_the_ones_it_always_published() -> None:
    areas = ProgrammeAreas.from_catalog(read_catalog(SLAGELSE / "criteria.yaml").areas)
    assert areas.order == ("motalavej", "ringparken", "sydbyen", "skaelskoer", "combined", "combined_mean")
    assert [areas.in_text(a) for a in areas.order] == [
        "Motalavej", "Ringparken/Schackenborgvænge", "Sydbyen", "Skælskør", "de fire områder samlet",
        "gennemsnittet af områderne"]
    assert [areas.short(a) for a in areas.order] == ["Motalavej", "Ringparken", "Sydbyen", "Skælskør", "Samlet",
                                                    "Gns."]
    assert areas.heading("combined") == "Samlet (puljet)" and areas.in_text("sub_average").startswith("gennemsnit")


def test_the_report_reads_the_areas_from_the_published_table() -> None:
    con = duckdb.connect()
    con.execute("create table areas as select * from (values ('vestparken', 'Vestparken/Engen'),"
                " ('nordbyen', 'Nordbyen (afd. 1)')) as t(area_key, name_da)")
    areas = ProgrammeAreas.from_published(con)
    assert areas.order == ("vestparken", "nordbyen", "combined", "combined_mean")
    assert [areas.short(a) for a in areas.order] == ["Vestparken", "Nordbyen", "Samlet", "Gns."]
    assert sorted(["combined", "nordbyen", "zzz", "vestparken"], key=areas.sort_key) == [
        "vestparken", "nordbyen", "combined", "zzz"]


def test_a_pseudo_key_joining_areas_is_their_combined_figure() -> None:
    slagelse = read_catalog(SLAGELSE / "criteria.yaml")
    frame = baselines_frame(slagelse)
    joined = [c["id"] for c in slagelse.criteria for b in c.get("baseline") or []
              if "_and_" in b["area"] and not b.get("role") and b["area"] != "all_areas_and_combined"]
    assert joined, "the Slagelse catalog has baselines for two areas together"
    rows = frame.filter(pl.col("criterion_id").is_in(joined))
    assert set(rows["area_key"]) == {"combined"}


def _contract_list(after: str) -> set[str]:
    """The backquoted words of the first backquoted list after `after` in the contract."""
    text = CONTRACT.read_text(encoding="utf-8")
    tail = text[text.index(after) + len(after):]
    span = re.match(r"[^`]*`([^`]+)`", tail, re.DOTALL)
    assert span, after
    return {w.strip() for w in span.group(1).split(",")}


def test_the_vocabulary_holds_the_contracts_vocabularies() -> None:
    contract = CONTRACT.read_text(encoding="utf-8")
    status_table = contract[contract.index("| status | meaning |"):contract.index("`status_reason` is")]
    statuses = {s for row in re.findall(r"^\| (`[^|]+)\|", status_table, re.MULTILINE)
                for s in re.findall(r"`(\w+)`", row)}
    assert keys("status") == statuses
    assert keys("gap_type") == _contract_list("with `gap_type` in")
    assert keys("ledger_status") == _contract_list("status, error, delivered_at, loaded_at` with `status` in")
    outcomes = contract[contract.index("`load_runs`: one row per nightly run"):]
    outcomes = outcomes[outcomes.index("outcome` ("):outcomes.index("), `files_loaded")]
    assert keys("run_outcome") == set(re.findall(r"`(\w+)`", outcomes))
    assert set(VOCABULARIES.values()) == {keys(kind) for kind in CONTRACT_KINDS}


def test_every_status_has_a_word_and_a_symbol_and_every_gap_type_its_phrases() -> None:
    assert set(symbols("status")) == keys("status") and len(set(symbols("status").values())) == len(keys("status"))
    for kind in ("gap_type_in_supplier_list",):
        assert set(words(kind)) == keys("gap_type")
    assert set(words("gap_type_overdue")) < keys("gap_type")


def test_sql_and_python_read_the_same_words() -> None:
    """The dbt macros read ref('vocabulary') and the area names; no SQL spells a status word any more."""
    macros = (REPO_ROOT / "dbt_project" / "macros" / "format_da.sql").read_text(encoding="utf-8")
    assert "ref('vocabulary')" in macros and "stg_catalog__area_names" in macros
    for word in words("status").values():
        assert f"'{word}'" not in macros, word


def test_the_contract_check_judges_area_keys_by_the_files_own_areas() -> None:
    from tests.test_contract_check import fill_warehouse

    another_programme = ["update areas set area_key = 'nordbyen', name_da = 'Nordbyen'"]
    with duckdb.connect() as con:
        assert check_contract(fill_warehouse(con, another_programme)).problems[0].subject == "measurements.area_key"
    with duckdb.connect() as con:
        moved = [*another_programme, "update measurements set area_key = 'nordbyen'"]
        assert not [p for p in check_contract(fill_warehouse(con, moved)).problems if p.kind == "area_key"]


def contract_columns(table: str) -> list[str]:
    """The columns docs/warehouse_contract.md lists for a table: the comma-separated backquoted lists of the
    paragraph that starts with the table's name."""
    contract = CONTRACT.read_text(encoding="utf-8")
    start = re.search(rf"^(- )?`{table}`: ", contract, re.MULTILINE)
    assert start, table
    paragraph = re.split(r"\n\s*\n|\n- `| with `", contract[start.end():], maxsplit=1)[0]
    column = r"\w+(?: \(\w+\))?"  # a name, maybe with its type: suppressed (BOOLEAN)
    spans = [s for s in re.findall(r"`([^`]+)`", paragraph) if re.fullmatch(rf"{column}(,\s*{column})+", s)]
    return [c.split("(")[0].strip() for span in spans for c in span.split(",")]


def test_the_python_list_of_contract_tables_is_the_contracts() -> None:
    from pipelines.contract_columns import CONTRACT_TABLES, EXTENSION_TABLES
    from pipelines.runtime.run_records import LOAD_RUNS_COLUMNS

    documented = {table: contract_columns(table) for table in CONTRACT_TABLES}
    # the contract's keys section: `period_start` and `period_end` always accompany a period
    documented["kpi_status"] += ["period_start", "period_end"]
    assert documented == CONTRACT_TABLES
    for table in ("kpi_baselines", "load_runs"):
        assert contract_columns(table) == EXTENSION_TABLES[table]
    assert LOAD_RUNS_COLUMNS is EXTENSION_TABLES["load_runs"]


@pytest.mark.parametrize(("kind", "doc", "block"), [
    ("status", "statuses.md", "status_values"), ("ledger_status", "statuses.md", "ledger_status_values"),
    ("gap_type", "gap_types.md", "gap_type_values")])
def test_the_dbt_docs_use_the_vocabularys_words(kind: str, doc: str, block: str) -> None:
    text = (REPO_ROOT / "dbt_project" / "models" / "docs" / doc).read_text(encoding="utf-8")
    text = text[text.index(f"{{% docs {block} %}}"):]
    text = text[:text.index("{% enddocs %}")]
    documented = dict(re.findall(r"^\| `(\w+)` \| \*\*([^*]+)\*\*:", text, re.MULTILINE))
    assert documented == words(kind)


def test_the_run_outcomes_by_name_are_the_vocabularys_and_each_has_its_exit_code() -> None:
    from pipelines.exit_codes import ExitCode
    from pipelines.runtime.run_records import (
        EXIT_CODES,
        FAILED,
        OUTCOMES,
        PUBLISHED,
        PUBLISHED_OUTCOMES,
        PUBLISHED_WITH_REJECTIONS,
        SKIPPED_LOCKED,
    )

    assert {PUBLISHED, PUBLISHED_WITH_REJECTIONS, FAILED, SKIPPED_LOCKED} == set(OUTCOMES) == set(EXIT_CODES)
    assert PUBLISHED_OUTCOMES == (PUBLISHED, PUBLISHED_WITH_REJECTIONS)
    assert [EXIT_CODES[o] for o in (PUBLISHED, PUBLISHED_WITH_REJECTIONS, FAILED, SKIPPED_LOCKED)] == [
        ExitCode.OK, ExitCode.REJECTED, ExitCode.FAILED, ExitCode.LOCKED]
