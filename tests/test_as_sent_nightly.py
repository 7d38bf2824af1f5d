"""A handful of "as sent" variants through `kpi nightly`: the published measurements are the originals'.

The parser-level corpus (test_as_sent_formats.py) covers every system and variant; this proves the same end to
end for one of each kind: a comma-separated file, a Mac Roman file, a tab-separated DST download, an `.ods`
workbook and a person-level extract with a renamed header mapped in the analyst's `column_aliases.csv`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests import as_sent
from tests.conftest import AS_OF, run_kpi
from tests.session_build import make_writable

MEASURED = ("source_system, indicator, area_key, period, period_start, period_end, value, numerator, denominator, "
            "unit, suppressed")


def _first(inbox: Path, system: str, suffix: str = "") -> Path:
    return sorted(p for p in (inbox / system).iterdir() if p.name.endswith(suffix))[0]


@pytest.mark.slow
def test_as_sent_variants_publish_the_same_measurements(published_demo, tmp_path):
    sources = tmp_path / "sources"
    shutil.copytree(published_demo.sources, sources)
    make_writable(sources)
    inbox, staging = sources / "inbox", tmp_path / "staging"
    variants = {
        "police_haervaerk": lambda o: as_sent.re_delimited(o, staging / "comma", ","),
        "fraflytning_admin": lambda o: as_sent.re_encoded(o, staging / "mac", "mac_roman"),
        "dst_noegletal": lambda o: as_sent.re_delimited(o, staging / "tab", "\t"),
        "novax": lambda o: as_sent.renamed(o, staging / "renamed", "Besøgstype"),
    }
    for system, make in variants.items():
        original = _first(inbox, system)
        variant = make(original)
        original.unlink()
        shutil.copy2(variant, original)
    workbook = _first(inbox, "own_registrations", ".xlsx")
    shutil.copy2(as_sent.converted(workbook, staging / "ods", "ods"), workbook.with_suffix(".ods"))
    workbook.unlink()
    (sources / "reference").mkdir(exist_ok=True)
    (sources / "reference" / "column_aliases.csv").write_text(
        f"source_system;column;alias\nnovax;Besøgstype;Besøgstype{as_sent.RENAMED_SUFFIX}\n", encoding="utf-8")

    warehouse = tmp_path / "warehouse" / "kpi.duckdb"
    done = run_kpi("nightly", "--sources", str(sources), "--warehouse", str(warehouse), "--as-of", AS_OF)
    assert done.returncode == 0, done.stdout + done.stderr

    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        rejected = con.execute("select file_name, error from load_ledger where status = 'rejected'").fetchall()
        ours = con.execute(f"select {MEASURED} from measurements order by all").fetchall()
        ods = con.execute("select count(*) from load_ledger where status = 'loaded' and file_name like '%.ods'"
                          ).fetchone()[0]
    theirs = published_demo.query(f"select {MEASURED} from measurements order by all")
    expected_rejected = published_demo.query("select file_name, error from load_ledger where status = 'rejected'")
    assert sorted(rejected) == sorted(expected_rejected)
    assert ods == 1
    assert len(ours) == len(theirs) > 0
    assert ours == theirs
