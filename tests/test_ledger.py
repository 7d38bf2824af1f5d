"""Ledger semantics (source_formats.md section 0): loaded, duplicate, superseded, rejected, seen.

Runs discover → ingest against a scratch DuckDB file with the small `baselines` CSV source, so no
flow run is needed; the GX suite runs as in the nightly flow.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.delivery.discover import discover
from pipelines.flows.delivery_step import ingest, parse_context
from pipelines.load.build import aggregate_sources
from pipelines.load.raw_layer import read_ledger
from pipelines.load.schema import ensure_raw_schema
from pipelines.parse import registry
from tests.conftest import REFERENCE_DIR

HEADER = "criterion_id;area_key;period;value;decided_by;note\n"


class Inbox:
    def __init__(self, root: Path) -> None:
        self.folder = root / "inbox" / "baselines"
        self.folder.mkdir(parents=True)
        self.con = duckdb.connect(str(root / "build.duckdb"))
        ensure_raw_schema(self.con, aggregate_sources())

    def deliver(self, name: str, value: str = "7,9", folder: Path | None = None) -> Path:
        path = (folder or self.folder) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(HEADER + f"strat_ub_school_absence;combined;2017;{value};Bestyrelsen;\n", encoding="utf-8")
        return path

    def run(self) -> dict[str, str]:
        deliveries = discover(self.folder.parent, read_ledger(self.con), registry())
        context = parse_context(REFERENCE_DIR)
        return {d.file_name: ingest(self.con, d, context).status for d in deliveries}

    def ledger(self) -> dict[str, tuple]:
        return {r[0]: r[1:] for r in self.con.execute(
            "select file_name, status, error, rows_loaded from raw.load_ledger").fetchall()}

    def values(self) -> list[tuple]:
        return self.con.execute("select source_file, value from raw.baselines order by 1").fetchall()


@pytest.fixture
def inbox(tmp_path: Path):
    box = Inbox(tmp_path)
    yield box
    box.con.close()


def test_the_same_file_twice_is_a_duplicate_and_changes_nothing(inbox: Inbox) -> None:
    inbox.deliver("baselines_2017_20180315.csv")
    assert inbox.run() == {"baselines_2017_20180315.csv": "loaded"}
    inbox.deliver("baselines_2017_20180401.csv")  # byte-identical under another name
    assert inbox.run()["baselines_2017_20180401.csv"] == "duplicate"
    assert inbox.ledger()["baselines_2017_20180401.csv"][0] == "duplicate"
    assert inbox.values() == [("baselines_2017_20180315.csv", 7.9)]


def test_a_second_run_over_the_same_inbox_adds_no_ledger_rows(inbox: Inbox) -> None:
    inbox.deliver("baselines_2017_20180315.csv")
    inbox.run()
    assert inbox.run() == {"baselines_2017_20180315.csv": "seen"}
    assert len(inbox.ledger()) == 1


def test_a_corrected_file_supersedes_and_the_history_is_kept(inbox: Inbox) -> None:
    inbox.deliver("baselines_2017_20180315.csv")
    inbox.run()
    inbox.deliver("baselines_2017_20180601.csv", value="8,1")
    assert inbox.run()["baselines_2017_20180601.csv"] == "loaded"
    ledger = inbox.ledger()
    assert ledger["baselines_2017_20180315.csv"][0] == "superseded"
    assert ledger["baselines_2017_20180601.csv"][0] == "loaded"
    assert inbox.values() == [("baselines_2017_20180315.csv", 7.9), ("baselines_2017_20180601.csv", 8.1)]


def test_same_period_and_delivery_date_is_an_ambiguous_redelivery(inbox: Inbox) -> None:
    inbox.deliver("baselines_2017_20180315.csv")
    inbox.run()
    inbox.deliver("baselines_2017_20180315.CSV", value="8,1")  # same chain and date, other content
    assert inbox.run()["baselines_2017_20180315.CSV"] == "rejected"
    assert "tvetydig genlevering" in inbox.ledger()["baselines_2017_20180315.CSV"][1]
    assert inbox.values() == [("baselines_2017_20180315.csv", 7.9)]


def test_a_rejected_correction_supersedes_nothing(inbox: Inbox) -> None:
    inbox.deliver("baselines_2017_20180315.csv")
    inbox.run()
    inbox.deliver("baselines_2017_20180601.csv", value="otte")
    assert inbox.run()["baselines_2017_20180601.csv"] == "rejected"
    ledger = inbox.ledger()
    assert ledger["baselines_2017_20180315.csv"][0] == "loaded"
    status, error, _ = ledger["baselines_2017_20180601.csv"]
    assert status == "rejected"
    assert error.startswith("baselines_2017_20180601.csv") and "række 2" in error and "value" in error
    assert inbox.values() == [("baselines_2017_20180315.csv", 7.9)]


@pytest.mark.parametrize("name", ["baselines_2017.csv", "baseline_2017_20180315.csv", "baselines_2017_20181345.csv",
                                  "baselines_2017_20180315.xls"])
def test_a_file_name_off_the_convention_is_rejected(inbox: Inbox, name: str) -> None:
    inbox.deliver(name)
    assert inbox.run()[name] == "rejected"
    assert inbox.ledger()[name][1].startswith(name)


def test_a_folder_without_a_source_system_is_rejected(inbox: Inbox) -> None:
    inbox.deliver("mystery_2017_20180315.csv", folder=inbox.folder.parent / "mystery")
    assert inbox.run()["mystery_2017_20180315.csv"] == "rejected"
    assert "ukendt kildesystem" in inbox.ledger()["mystery_2017_20180315.csv"][1]


def test_an_unknown_area_is_rejected_and_recorded_as_an_unmapped_area_gap(inbox: Inbox) -> None:
    path = inbox.folder / "baselines_2017_20180315.csv"
    path.write_text(HEADER + "strat_ub_school_absence;Ringarken;2017;7,9;;\n", encoding="utf-8")
    assert inbox.run()[path.name] == "rejected"
    assert "ukendt område 'Ringarken'" in inbox.ledger()[path.name][1]
    gaps = inbox.con.execute("select gap_type, detail from raw.delivery_gaps where file_name = ?",
                             [path.name]).fetchall()
    assert [g for g, _ in gaps] == ["unmapped_area"] and "Ringparken" in gaps[0][1]  # lists the known names
    assert inbox.values() == []
