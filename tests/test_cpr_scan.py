"""After a run on the sample, no CPR number is anywhere the run wrote: DuckDB files, logs, dbt files, GX results.

The scan looks for two things: any CPR-shaped token (`DDMMYY-SSSS`/`DDMMYYSSSS` with a real date) and any of
the sample's original CPR numbers, also embedded in a longer string. The key tests run the real `kpi nightly`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.privacy.cpr import CPR_PATTERN, is_valid_cpr
from tests.conftest import AS_OF

PERSON_SOURCES = ("kmd_opera", "uu_registration", "novax", "school_absence", "school_readiness")
_ANY_DIGIT_RUN = re.compile(r"(?=(\d{6}-?\d{4}))")


def run_kpi(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`kpi` as an analyst runs it, with the environment (the key) of the test."""
    kpi = Path(sys.executable).with_name("kpi")
    return subprocess.run([str(kpi), *args], capture_output=True, text=True, timeout=600, check=False,
                          env={**env, "COLUMNS": "300"})


def original_cprs(sources: Path) -> set[str]:
    """Every CPR of the sample's person-level files, in both spellings."""
    found: set[str] = set()
    for source in PERSON_SOURCES:
        for path in (sources / "inbox" / source).iterdir():
            text = path.read_bytes().decode("cp1252", errors="replace")
            for match in CPR_PATTERN.finditer(text):
                digits = match[0].replace("-", "")
                found |= {digits, f"{digits[:6]}-{digits[6:]}"}
    return found


def cpr_findings(text: str, originals: set[str]) -> list[str]:
    shaped = [m[0] for m in CPR_PATTERN.finditer(text) if is_valid_cpr(m[0])]
    embedded = [m[1] for m in _ANY_DIGIT_RUN.finditer(text) if m[1] in originals]
    return shaped + embedded


def duckdb_findings(path: Path, originals: set[str]) -> list[str]:
    """Every column of every table and view, whatever its type, read as text."""
    findings = []
    with duckdb.connect(str(path), read_only=True) as con:
        columns = con.execute(
            "select c.table_schema, c.table_name, c.column_name from information_schema.columns as c "
            "where c.table_catalog = current_database()").fetchall()
        assert columns, path
        for schema, table, column in columns:
            values = con.execute(f'select distinct cast("{column}" as varchar) from "{schema}"."{table}" '
                                 f'where "{column}" is not null').fetchall()
            text = "\n".join(v for (v,) in values)
            findings += [f"{path.name}: {schema}.{table}.{column}: {hit}" for hit in cpr_findings(text, originals)]
    return findings


@pytest.fixture(scope="module")
def originals(published_demo) -> set[str]:
    cprs = original_cprs(published_demo.sources)
    assert len(cprs) > 10_000  # the synthetic population's persons, both spellings
    return cprs


def test_the_run_loaded_the_person_level_sources(published_demo) -> None:
    internal = published_demo.warehouse.with_name("kpi.internal.duckdb")
    with duckdb.connect(str(internal), read_only=True) as con:
        counts = dict(con.execute("select source_system, count(*) from raw.load_ledger where status = 'loaded' "
                                  "group by 1").fetchall())
        persons = con.execute("select count(distinct person_id) from staging.stg_kmd_opera__periods").fetchone()[0]
    assert {source: counts.get(source, 0) > 0 for source in (*PERSON_SOURCES, "questionnaire")} == dict.fromkeys(
        (*PERSON_SOURCES, "questionnaire"), True)
    assert persons > 100


def test_no_cpr_in_any_table_of_the_warehouse_files(published_demo, originals) -> None:
    files = [published_demo.warehouse, published_demo.warehouse.with_name("kpi.internal.duckdb")]
    assert all(path.is_file() for path in files)
    assert [hit for path in files for hit in duckdb_findings(path, originals)] == []


def test_no_cpr_in_any_other_file_the_run_wrote(published_demo, originals) -> None:
    """Logs, dbt target and log files, the run log, Prefect's files: every file under the warehouse folder."""
    scanned, findings = 0, []
    for path in sorted(published_demo.warehouse.parent.rglob("*")):
        if not path.is_file() or path.suffix == ".duckdb":
            continue
        text = path.read_bytes().decode("latin-1")
        scanned += 1
        hits = cpr_findings(text, originals) if path.suffix not in (".db", ".db-wal") else \
            [m[1] for m in _ANY_DIGIT_RUN.finditer(text) if m[1] in originals]
        findings += [f"{path.name}: {hit}" for hit in hits]
    assert scanned >= 3  # at least dbt's manifest, run results and log
    output = published_demo.first.stdout + published_demo.first.stderr
    findings += [f"kpi nightly output: {hit}" for hit in cpr_findings(output, originals)]
    assert findings == []


def test_no_cpr_in_a_gx_result(parse_context, originals, published_demo) -> None:
    from pipelines.ingest.filenames import parse_file_name
    from pipelines.ingest.parsers import registry
    from pipelines.validate.suites import _validation_definition

    path = next((published_demo.sources / "inbox" / "kmd_opera").iterdir())
    parser = registry()["kmd_opera"]
    parsed = parser.parse(path, parse_file_name(path, "kmd_opera", extensions=("csv",)), parse_context)
    result = _validation_definition("kmd_opera").run(batch_parameters={"dataframe": parsed.frame.to_pandas()},
                                                     expectation_parameters={"file_periods": []},
                                                     result_format={"result_format": "COMPLETE"})
    text = json.dumps(result.describe_dict(), default=str, ensure_ascii=False)
    assert parsed.frame.height > 100 and "person_id" in text
    assert cpr_findings(text, originals) == []


def test_another_key_stops_the_run_before_loading(published_demo, tmp_path) -> None:
    demo = published_demo.copy_to(tmp_path / "demo")
    internal = demo.warehouse.with_name("kpi.internal.duckdb")
    before = demo.query("select file_name, status from load_ledger order by 1")
    extract = next((demo.sources / "inbox" / "kmd_opera").iterdir())
    shutil.copy(extract, extract.with_name("kmd_opera_2016-2025_20261101.csv"))  # a new delivery
    internal_bytes = internal.read_bytes()
    result = run_kpi("nightly", "--sources", str(demo.sources), "--warehouse", str(demo.warehouse), "--as-of", AS_OF,
                     env={**os.environ, "KPI_HMAC_KEY": "another-key"})
    assert result.returncode == 4, result.stdout + result.stderr
    assert "Pseudonymiseringsnøglen er ikke den, lageret blev bygget med" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert demo.query("select file_name, status from load_ledger order by 1") == before
    assert internal.read_bytes() == internal_bytes


def test_without_a_key_nothing_is_loaded(published_demo, tmp_path) -> None:
    warehouse = tmp_path / "warehouse" / "kpi.duckdb"
    env = {k: v for k, v in os.environ.items() if k != "KPI_HMAC_KEY"}
    env["KPI_HMAC_KEY_FILE"] = str(tmp_path / "no.key")
    result = run_kpi("nightly", "--sources", str(published_demo.sources), "--warehouse", str(warehouse),
                     "--as-of", AS_OF, env=env)
    assert result.returncode == 4, result.stdout + result.stderr
    assert "Ingen pseudonymiseringsnøgle" in result.stderr and "intet er indlæst" in result.stderr
    assert not (tmp_path / "no.key").exists() and not warehouse.parent.exists()
