"""A CPR number in a delivery's file name is caught at discovery: the file is rejected under a masked name.

Unit level: discover → ingest against a scratch DuckDB (the ledger tests' inbox) and the inputs record.
The end-to-end run through `kpi nightly` is in tests/test_cpr_scan.py.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.delivery.discover import Decision, discover
from pipelines.load.inputs import FileHashes, input_parts, read_record, write_record
from pipelines.parse import registry
from pipelines.privacy.detector import MASK, ascii_form, contains_cpr, mask_cpr
from tests.test_cpr_detector import SEPARATORS
from tests.test_ledger import Inbox

CPR_FORMS = [f"010187{separator}1467" for separator in SEPARATORS if separator not in ("\t",)] + [
    "CPR0101871467", "cpr 0101871467", "\uff10\uff11\uff10\uff11\uff18\uff17\uff11\uff14\uff16\uff17"]


def _everything(inbox: Inbox) -> str:
    """Every text cell of every raw table of the scratch warehouse."""
    cells = []
    for schema, table in inbox.con.execute(
            "select table_schema, table_name from information_schema.tables").fetchall():
        for row in inbox.con.execute(f'select * from "{schema}"."{table}"').fetchall():
            cells += [str(cell) for cell in row if cell is not None]
    return "\n".join(cells)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(form=st.sampled_from(CPR_FORMS), where=st.sampled_from(["prefix", "inside", "suffix"]))
def test_a_name_with_a_cpr_is_rejected_masked_and_the_others_load(tmp_path_factory, form: str, where: str) -> None:
    inbox = Inbox(tmp_path_factory.mktemp("inbox"))
    try:
        good = inbox.deliver("baselines_2017_20180315.csv")
        name = {"prefix": f"{form} baselines_2018_20190315.csv", "inside": f"baselines_2018_{form}_20190315.csv",
                "suffix": f"baselines_2018_20190315_{form}.csv"}[where]
        inbox.deliver(name, value="8,1")
        outcomes = inbox.run()
        masked = mask_cpr(name)
        assert MASK in masked and "1467" not in ascii_form(masked)
        assert outcomes == {good.name: "loaded", masked: "rejected"}
        ledger = inbox.ledger()
        assert ledger[masked][0] == "rejected" and "filnavnet indeholder et CPR-nummer" in ledger[masked][1]
        assert not contains_cpr(_everything(inbox))
        assert inbox.run() == {good.name: "seen", masked: "seen"}  # the next run is quiet about it
    finally:
        inbox.con.close()


def test_a_folder_with_a_cpr_is_rejected_masked(tmp_path: Path) -> None:
    folder = tmp_path / "inbox" / "0101871467"
    folder.mkdir(parents=True)
    (folder / "baselines_2018_20190315.csv").write_text("x\n", encoding="utf-8")
    [delivery] = discover(tmp_path / "inbox", [], registry())
    assert delivery.decision is Decision.REJECT
    assert delivery.source_system == MASK and not contains_cpr(delivery.rejection.message)


def test_the_inputs_record_holds_no_cpr_from_a_name(tmp_path: Path) -> None:
    folder = tmp_path / "inbox" / "kmd_opera"
    folder.mkdir(parents=True)
    path = folder / "kmd_opera_2016-2025_20261101_010187-1467.csv"
    path.write_text("CPR\n", encoding="utf-8")
    warehouse = tmp_path / "kpi.duckdb"
    internal = tmp_path / "kpi.internal.duckdb"
    for file in (warehouse, internal):
        file.write_bytes(b"x")
    hashes = FileHashes()
    parts = input_parts([("kmd_opera", path)], {}, date(2026, 12, 1), "slagelse", "key", hashes)
    write_record(warehouse, "fingerprint", [internal, warehouse], hashes, parts)
    text = (tmp_path / "kpi.inputs.json").read_text(encoding="utf-8")
    assert MASK in json.loads(text)["file_hashes"].popitem()[0]
    assert not contains_cpr(text)
    record = read_record(warehouse)
    assert record is not None and FileHashes(record.file_hashes).sha256(path) == hashes.used.popitem()[1][1]
