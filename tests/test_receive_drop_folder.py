"""The drop folder end to end: one `kpi nightly` receives what lies in `<sources>/modtaget/`, loads it like any
delivery and moves it to `modtaget/behandlet/<day>/`; a file it cannot identify stays and is reported.

Reproduce a failure: remove the `receive_task` call from pipelines/flows/nightly.py and run this file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.runtime.places import summary_path
from tests.conftest import AS_OF, PublishedDemo, run_kpi

RECEIVED = "police_haervaerk_2017_20180214.csv"
ATTACHMENT = "Hærværk 2017 (endelig).csv"
UNKNOWN = "Kopi af 010187-1467.csv"  # a CPR number in a name is never shown


def haervaerk_measurements(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select indicator, area_key, period, value, numerator, denominator, unit, suppressed "
                           "from measurements where source_system = 'police_haervaerk' order by all").fetchall()


@pytest.mark.e2e
def test_the_nightly_files_loads_and_moves_what_lies_in_the_drop_folder(published_demo: PublishedDemo,
                                                                        tmp_path: Path) -> None:
    from pipelines.sample import generate

    sources, warehouse = tmp_path / "sources", tmp_path / "warehouse" / "kpi.duckdb"
    generate(sources)
    drop = sources / "modtaget"
    drop.mkdir()
    shutil.move(sources / "inbox" / "police_haervaerk" / RECEIVED, drop / ATTACHMENT)
    (drop / UNKNOWN).write_text("Navn;Telefon\nJens;12345678\n", encoding="utf-8")

    run = run_kpi("nightly", "--sources", str(sources), "--warehouse", str(warehouse), "--as-of", AS_OF,
                  "--no-report")
    assert run.returncode == 0, run.stdout + run.stderr

    filed = sources / "inbox" / "police_haervaerk" / f"police_haervaerk_2017_{AS_OF.replace('-', '')}.csv"
    assert filed.is_file()
    assert (drop / "behandlet" / AS_OF / ATTACHMENT).read_bytes() == filed.read_bytes()
    assert not (drop / ATTACHMENT).exists()
    assert (drop / UNKNOWN).is_file()  # not identified: it waits where the analyst left it
    assert haervaerk_measurements(warehouse) == haervaerk_measurements(published_demo.warehouse)

    summary = summary_path(warehouse).read_text(encoding="utf-8")
    status = run_kpi("status", "--warehouse", str(warehouse)).stdout
    for text in (summary, status, run.stdout + run.stderr):
        assert "Venter i modtaget/: Kopi af <CPR skjult>.csv: ingen kilde passer på indholdet" in text, text
        assert "010187" not in text
    assert "## Filer der venter i modtaget/" in summary
