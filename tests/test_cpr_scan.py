"""After a run on the sample, no CPR number is anywhere the run wrote: DuckDB files, logs, dbt files, GX results,
the report, the run log, Prefect's database.

The scan (tests/cpr_scan_helpers.py) looks for any CPR the detector finds in every written form, and for the
sample's own CPR numbers in any form, also embedded in a longer string. The key tests run the real `kpi nightly`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.privacy.detector import find_cpr
from tests.conftest import AS_OF
from tests.cpr_scan_helpers import cpr_findings_in, known_in, written_files

PERSON_SOURCES = ("kmd_opera", "uu_registration", "novax", "school_absence", "school_readiness")


def run_kpi(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`kpi` as an analyst runs it, with the environment (the key) of the test."""
    kpi = Path(sys.executable).with_name("kpi")
    return subprocess.run([str(kpi), *args], capture_output=True, text=True, timeout=600, check=False,
                          env={**env, "COLUMNS": "300"})


def original_cprs(sources: Path) -> set[str]:
    """Every CPR of the sample's person-level files, as ten ASCII digits."""
    found: set[str] = set()
    for source in PERSON_SOURCES:
        for path in (sources / "inbox" / source).iterdir():
            text = path.read_bytes().decode("cp1252", errors="replace")
            found |= {span.digits for span in find_cpr(text)}
    return found


def cpr_findings(text: str, originals: set[str]) -> list[str]:
    return [f"CPR {text[s.start:s.end]!r}" for s in find_cpr(text)] + known_in(text, originals)


def findings_in_written_files(folders: list[Path], known: set[str]) -> tuple[int, list[str]]:
    """(files scanned, findings) over every file under the folders."""
    files = written_files(*folders)
    return len(files), [f"{path.name}: {hit}" for path in files for hit in cpr_findings_in(path, known)]


def prefect_home() -> list[Path]:
    """Prefect's database and files of this test worker (the run writes its flow and task runs there)."""
    home = os.environ.get("PREFECT_HOME")
    return [Path(home)] if home else []


@pytest.fixture(scope="module")
def originals(published_demo) -> set[str]:
    cprs = original_cprs(published_demo.sources)
    assert len(cprs) > 5_000  # the synthetic population's persons
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


def test_no_cpr_in_any_file_the_run_wrote(published_demo, originals) -> None:
    """Both DuckDB files (values, bytes), logs, dbt target and log files, the run log, the report, Prefect's files."""
    folders = [published_demo.warehouse.parent, *prefect_home()]
    scanned, findings = findings_in_written_files(folders, originals)
    assert scanned >= 10 and all(p.is_file() for p in (published_demo.warehouse,
                                                        published_demo.warehouse.with_name("kpi.internal.duckdb")))
    output = published_demo.first.stdout + published_demo.first.stderr
    findings += [f"kpi nightly output: {hit}" for hit in cpr_findings(output, originals)]
    assert findings == []


def test_no_cpr_in_a_gx_result(parse_context, originals, published_demo) -> None:
    from pipelines.delivery.filenames import parse_file_name
    from pipelines.parse import registry
    from pipelines.validate.suites import (
        _area_parameters,
        _project_areas,
        _suite,
        frame_batch,
        load_suite_definition,
        suite_result,
    )

    path = next((published_demo.sources / "inbox" / "kmd_opera").iterdir())
    parser = registry()["kmd_opera"]
    parsed = parser.parse(path, parse_file_name(path, "kmd_opera", extensions=("csv",)), parse_context)
    areas = _area_parameters(load_suite_definition("kmd_opera"), list(_project_areas()))  # @programme_areas
    result = suite_result(frame_batch(parsed.frame.to_pandas()), _suite("kmd_opera"),  # the failure path's format
                          {"file_periods": [], **areas}, "COMPLETE")
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


def test_a_cpr_in_a_file_name_is_rejected_masked_and_reaches_no_written_file(published_demo, tmp_path) -> None:
    """A delivery named with a CPR: rejected at discovery under a masked name, every other file loads, the next
    nightly is not failed by it, and the CPR (in any form) is in no file either run wrote, nor on the terminal."""
    demo = published_demo.copy_to(tmp_path / "demo")
    planted = "0101871467"
    extract = next((demo.sources / "inbox" / "kmd_opera").iterdir())
    named = extract.with_name("kmd_opera_2016-2025_20261101_010187\u20131467.csv")
    shutil.copy(extract, named)
    good = extract.with_name("kmd_opera_2016-2025_20261102.csv")  # another new delivery loads beside it
    good.write_bytes(extract.read_bytes().replace(b"\r\n", b"\n"))
    args = ("nightly", "--sources", str(demo.sources), "--warehouse", str(demo.warehouse), "--as-of", AS_OF)
    first, second = run_kpi(*args, env=dict(os.environ)), None
    assert first.returncode == 3, first.stdout + first.stderr
    second = run_kpi(*args, env=dict(os.environ))
    assert second.returncode == 0, second.stdout + second.stderr
    ledger = dict(demo.query("select file_name, status from load_ledger where file_name like 'kmd_opera%2026110%'"))
    assert ledger == {"kmd_opera_2016-2025_20261101_<CPR skjult>.csv": "rejected", good.name: "loaded"}
    error = demo.query("select error from load_ledger where status = 'rejected' and file_name like '%CPR skjult%'")
    assert "filnavnet indeholder et CPR-nummer" in error[0][0]
    output = "".join(r.stdout + r.stderr for r in (first, second))
    assert "<CPR skjult>" in output and "Traceback" not in output
    _, findings = findings_in_written_files([demo.warehouse.parent, *prefect_home()], {planted})
    findings += [f"kpi nightly output: {hit}" for hit in cpr_findings(output, {planted})]
    assert findings == []
